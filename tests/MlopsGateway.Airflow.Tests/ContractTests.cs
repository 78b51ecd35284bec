using System.Text.Json.Nodes;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>Prism mocks of the official v1, v2 and auth-manager specs, started once for the contract tests.</summary>
public sealed class AirflowSpecMocks : IAsyncLifetime
{
    public PrismProcess V1 { get; private set; } = null!;
    public PrismProcess V2 { get; private set; } = null!;
    public PrismProcess Auth { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!SharedPaths.PrismAvailable || !SharedPaths.SharedAvailable)
        {
            return; // the [PrismFact]s skip (outside CI) or fail on their own
        }
        var started = await Task.WhenAll(
            PrismProcess.MockAsync(SharedPaths.Shared("specs", "airflow-v1.yaml")),
            PrismProcess.MockAsync(SharedPaths.Shared("specs", "airflow-v2.yaml")),
            PrismProcess.MockAsync(SharedPaths.Shared("specs", "airflow-v2-simple-auth-manager.yaml")));
        (V1, V2, Auth) = (started[0], started[1], started[2]);
    }

    public async Task DisposeAsync()
    {
        foreach (var p in new[] { V1, V2, Auth })
        {
            if (p is not null)
            {
                await p.DisposeAsync();
            }
        }
    }
}

/// <summary>
/// Contract: every request the adapter can make is sent to Prism serving the official specs, and Prism
/// rejects none of them (no request violation, no 4xx). v1 is served at the root (the spec's server URL
/// is relative), so the backend uses <c>ApiBasePath: /</c>; v2 gets its JWT from the auth-manager spec.
/// </summary>
public sealed class ContractTests(AirflowSpecMocks mocks) : IClassFixture<AirflowSpecMocks>
{
    private static async Task ExerciseEverythingAsync(IMlopsBackend backend)
    {
        async Task Try(Func<Task> call)
        {
            try
            {
                await call();
            }
            catch (MlopsException)
            {
                // Prism's generated bodies may not satisfy later steps (e.g. a DAG id "string");
                // what matters here is what Prism said about each request, asserted by the caller.
            }
        }

        var run = "train/manual__2026-11-22T10%3A00%3A00%2B00%3A00";
        await Try(() => backend.Pipelines.ListAsync(new PipelineQuery { NameContains = "tr", Tags = ["ml", "nightly"], IsPaused = false, PageSize = 10 }).AsPages().GetAsyncEnumerator().MoveNextAsync().AsTask());
        await Try(() => backend.Pipelines.GetAsync("train"));
        await Try(() => backend.Pipelines.PauseAsync("train"));
        await Try(() => backend.Pipelines.ResumeAsync("train"));
        await Try(() => backend.Pipelines.TriggerAsync("train", new TriggerOptions
        {
            RunId = "manual__2026-11-22T10:00:00+00:00",
            Parameters = new JsonObject { ["lr"] = 0.01, ["tags"] = new JsonArray("a") },
            Note = "from C#",
            LogicalDate = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero),
        }));
        await Try(() => backend.Pipelines.TriggerAsync("train"));
        await Try(() => backend.Runs.GetAsync(run));
        await Try(() => backend.Runs.ListAsync(new RunQuery { PipelineId = "train", Statuses = [RunStatus.Running, RunStatus.Failed], StartedAfter = DateTimeOffset.UnixEpoch, StartedBefore = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), OrderBy = [new RunOrdering(RunSortField.StartTime)], PageSize = 5 }).AsPages().GetAsyncEnumerator().MoveNextAsync().AsTask());
        await Try(() => backend.Runs.ListAsync(new RunQuery { OrderBy = [new RunOrdering(RunSortField.Name, false)] }).AsPages().GetAsyncEnumerator().MoveNextAsync().AsTask());
        await Try(() => backend.Runs.CancelAsync(run));
        await Try(() => backend.Runs.RetryAsync(run));
        await Try(() => backend.Pipelines.ListTaskRunsAsync(run).AsPages().GetAsyncEnumerator().MoveNextAsync().AsTask());
        await Try(() => backend.Pipelines.ReadTaskLogAsync(run, "fit").ToListAsync().AsTask());
        await Try(() => backend.Pipelines.ReadTaskLogAsync(run, "fit/2", new TaskLogOptions { Attempt = 1 }).ToListAsync().AsTask());
        await Try(() => backend.GetService<AirflowTaskTries>()!.ListAsync(run, "fit"));
        await Try(() => backend.GetService<AirflowTaskTries>()!.ListAsync(run, "fit/2"));
        await Try(() => backend.Runs.DeleteAsync(run));
        await Try(() => backend.Pipelines.DeleteAsync("train"));
        await Try(() => backend.CheckHealthAsync());
    }

    private static void AssertAccepted(PrismTraffic traffic, params string[] mustContain)
    {
        var exchanges = traffic.Exchanges;
        exchanges.Should().NotBeEmpty();
        foreach (var e in exchanges)
        {
            e.RequestViolations.Should().BeEmpty(e.ToString());
            e.Status.Should().BeLessThan(400, e.ToString());
        }
        foreach (var expected in mustContain)
        {
            exchanges.Should().Contain(e => (e.Method + " " + e.Target).StartsWith(expected, StringComparison.Ordinal), $"the adapter sends {expected}");
        }
    }

    [PrismFact]
    public async Task Every_v1_request_passes_the_official_v1_spec()
    {
        var traffic = new PrismTraffic();
        using var sp = AirflowHost.Build(mocks.V1.BaseUri, "v1", b =>
        {
            b.Settings["ApiBasePath"] = "/";
            b.Auth.Type = "Basic";
            b.Auth.Username = "admin";
            b.Auth.Password = "admin";
        }, gateway: traffic.Attach(fixV1TaskDates: true));

        await ExerciseEverythingAsync(sp.Backend());

        AssertAccepted(traffic,
            "GET /dags?limit=10&offset=0&tags=ml&tags=nightly&paused=false&dag_id_pattern=tr",
            "GET /dags/train", "PATCH /dags/train?update_mask=is_paused", "DELETE /dags/train",
            "POST /dags/train/dagRuns", "GET /dags/train/dagRuns?", "GET /dags/~/dagRuns?",
            "GET /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00",
            "PATCH /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00",
            "POST /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/clear",
            "DELETE /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00",
            "GET /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances?",
            "GET /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances/fit/2",
            "GET /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances/fit/logs/1",
            "GET /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances/fit/tries",
            "GET /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances/fit/2/tries",
            "GET /dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances/fit/logs/1?map_index=2",
            "GET /version");
    }

    [PrismFact]
    public async Task Every_v2_request_passes_the_official_v2_spec()
    {
        var traffic = new PrismTraffic();
        using var sp = AirflowHost.Build(mocks.V2.BaseUri, "v2", b =>
        {
            b.Auth.Type = "Bearer";
            b.Auth.Token = "issued-elsewhere";
        }, gateway: traffic.Attach());

        await ExerciseEverythingAsync(sp.Backend());

        AssertAccepted(traffic,
            "GET /api/v2/dags?limit=10&offset=0&tags=ml&tags=nightly&tags_match_mode=all&paused=false&dag_id_pattern=tr",
            "GET /api/v2/dags/train", "PATCH /api/v2/dags/train", "DELETE /api/v2/dags/train",
            "POST /api/v2/dags/train/dagRuns", "GET /api/v2/dags/train/dagRuns?", "GET /api/v2/dags/~/dagRuns?",
            "GET /api/v2/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00",
            "PATCH /api/v2/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00",
            "POST /api/v2/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/clear",
            "DELETE /api/v2/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00",
            "GET /api/v2/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances?",
            "GET /api/v2/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances/fit/2",
            "GET /api/v2/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances/fit/logs/1",
            "GET /api/v2/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances/fit/tries",
            "GET /api/v2/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances/fit/2/tries",
            "GET /api/v2/version");
    }

    [PrismFact]
    public async Task The_token_exchange_passes_the_auth_manager_spec_and_its_token_is_used()
    {
        var traffic = new PrismTraffic();
        using var sp = AirflowHost.Build(mocks.V2.BaseUri, "v2", b =>
        {
            b.Auth.Type = "TokenExchange";
            b.Auth.Username = "admin";
            b.Auth.Password = "admin";
            b.Auth.TokenUrl = new Uri(mocks.Auth.BaseUri, "auth/token").ToString();
        }, gateway: traffic.Attach());

        await sp.Backend().Pipelines.GetAsync("train");

        var token = traffic.Exchanges.Should().ContainSingle(e => e.Target == "/auth/token").Which;
        token.Method.Should().Be("POST");
        // The spec declares Content-Type as the exact values [application/json, application/x-www-form-urlencoded]:
        // the core sends exactly application/json, with no charset parameter.
        token.RequestViolations.Should().BeEmpty(token.ToString());
    }
}
