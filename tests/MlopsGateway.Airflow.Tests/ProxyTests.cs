using System.Text.Json.Nodes;
using MlopsGateway.Airflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>One fake per dialect, each behind <c>prism proxy &lt;official spec&gt; --errors</c>, started once.</summary>
public sealed class AirflowProxies : IAsyncLifetime
{
    public AirflowFake V1Fake { get; private set; } = null!;
    public AirflowFake V2Fake { get; private set; } = null!;
    public PrismProcess V1 { get; private set; } = null!;
    public PrismProcess V2 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // v1 is served at the root by Prism (the spec's server URL is relative), so the fake serves it there too.
        V1Fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V1, Prefix = "", AdvanceOnRunRead = true });
        V2Fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V2, AdvanceOnRunRead = true });
        if (!SharedPaths.PrismAvailable || !SharedPaths.SharedAvailable)
        {
            return;
        }
        var started = await Task.WhenAll(
            PrismProcess.ProxyAsync(SharedPaths.Shared("specs", "airflow-v1.yaml"), V1Fake.BaseUri),
            PrismProcess.ProxyAsync(SharedPaths.Shared("specs", "airflow-v2.yaml"), V2Fake.BaseUri));
        (V1, V2) = (started[0], started[1]);
    }

    public async Task DisposeAsync()
    {
        foreach (var p in new[] { V1, V2 })
        {
            if (p is not null)
            {
                await p.DisposeAsync();
            }
        }
        await V1Fake.DisposeAsync();
        await V2Fake.DisposeAsync();
    }
}

/// <summary>
/// The whole adapter surface against the stateful fake behind Prism's validating proxy: every request the
/// adapter sends and every response the fake gives must match the official spec (DESIGN.md §5.4).
/// </summary>
public sealed class ProxyTests(AirflowProxies proxies) : IClassFixture<AirflowProxies>
{
    private static async Task ScenarioAsync(IMlopsBackend backend, AirflowFake fake, string dagPrefix)
    {
        var train = dagPrefix + "train";
        var fails = dagPrefix + "fails";
        fake.AddDag(train, ["prepare", "fit"], tags: ["ml", "nightly"], schedule: "0 3 * * *");
        fake.AddDag(fails, ["boom", "after"], tags: ["ml"], failingTask: "boom");

        var dags = await backend.Pipelines.ListAsync(new PipelineQuery { NameContains = dagPrefix, Tags = ["ml"], IsPaused = false, PageSize = 1 }).ToListAsync();
        dags.Select(d => d.Id).Should().Equal(fails, train);
        var dag = await backend.Pipelines.GetAsync(train);
        dag.Schedule.Should().NotBeNull();
        dag.NextRunAt.Should().NotBeNull();
        (await backend.Pipelines.PauseAsync(train)).IsPaused.Should().BeTrue();
        (await backend.Pipelines.ResumeAsync(train)).IsPaused.Should().BeFalse();

        var run = await backend.Pipelines.TriggerAsync(train, new TriggerOptions
        {
            RunId = "manual__2026-11-22T10:00:00+00:00",
            Parameters = new JsonObject { ["lr"] = 0.01, ["layers"] = new JsonArray(64, 32) },
            Note = "through prism",
        });
        var again = await backend.Pipelines.TriggerAsync(train, new TriggerOptions { RunId = run.Name });
        again.Id.Should().Be(run.Id, "409 on a repeated run id returns the existing run");
        var fast = new WaitOptions { InitialPollInterval = TimeSpan.FromMilliseconds(1), MaxPollInterval = TimeSpan.FromMilliseconds(5), Timeout = TimeSpan.FromSeconds(30) };
        var done = await backend.Runs.WaitForCompletionAsync(run, fast);
        done.Status.Should().Be(RunStatus.Succeeded);
        done.Params["layers"].Should().Be("[64,32]");

        var tasks = await backend.Pipelines.ListTaskRunsAsync(done).ToListAsync();
        tasks.Should().OnlyContain(t => t.Status == RunStatus.Succeeded && t.Attempt == 1);
        var log = await backend.Pipelines.ReadTaskLogAsync(done, "fit", new TaskLogOptions { Follow = true, PollInterval = TimeSpan.FromMilliseconds(1) }).ToListAsync();
        log.Should().Contain("[fake] Task exited with return code 0");

        var failing = await backend.Pipelines.TriggerAsync(fails);
        (await backend.Runs.WaitForCompletionAsync(failing, fast)).Status.Should().Be(RunStatus.Failed);
        var failedTasks = await backend.Pipelines.ListTaskRunsAsync(failing).ToListAsync();
        failedTasks.Select(t => t.RawStatus).Should().Equal("failed", "upstream_failed");

        var retried = await backend.Runs.RetryAsync(failing);
        retried.Status.Should().Be(RunStatus.Queued);
        var toCancel = await backend.Pipelines.TriggerAsync(train, new TriggerOptions { RunId = "to:cancel+1" });
        await backend.Runs.CancelAsync(toCancel);
        (await backend.Runs.GetAsync(toCancel)).Status.Should().Be(RunStatus.Failed);

        var failedRuns = await backend.Runs.ListAsync(new RunQuery { Statuses = [RunStatus.Failed], OrderBy = [new RunOrdering(RunSortField.EndTime)] }).ToListAsync();
        failedRuns.Should().Contain(r => r.Id == toCancel.Id);
        var ofTrain = await backend.Runs.ListAsync(new RunQuery { PipelineId = train, PageSize = 1 }).ToListAsync();
        ofTrain.Should().HaveCount(2);

        await backend.Runs.DeleteAsync(toCancel);
        await FluentActions.Awaiting(() => backend.Runs.GetAsync(toCancel)).Should().ThrowAsync<MlopsNotFoundException>();
        await FluentActions.Awaiting(() => backend.Pipelines.GetAsync(dagPrefix + "missing")).Should().ThrowAsync<MlopsNotFoundException>();
        (await backend.CheckHealthAsync()).IsHealthy.Should().BeTrue();
    }

    private static void AssertClean(PrismTraffic traffic)
    {
        traffic.Exchanges.Should().HaveCountGreaterThan(20);
        foreach (var e in traffic.Exchanges)
        {
            e.Violations.Should().BeEmpty(e.ToString());
            e.Status.Should().NotBe(422, e.ToString()).And.BeLessThan(500, e.ToString());
        }
    }

    [PrismFact]
    public async Task V1_scenario_passes_prism_proxy_on_the_official_v1_spec()
    {
        var traffic = new PrismTraffic();
        using var sp = AirflowHost.ForFake(proxies.V1Fake, FakeDialect.V1, b => b.Settings["ApiBasePath"] = "/", baseUri: proxies.V1.BaseUri, gateway: traffic.Attach());

        await ScenarioAsync(sp.Backend(), proxies.V1Fake, "p1_");

        AssertClean(traffic);
    }

    [PrismFact]
    public async Task V2_scenario_passes_prism_proxy_on_the_official_v2_spec()
    {
        var traffic = new PrismTraffic();
        using var sp = AirflowHost.ForFake(proxies.V2Fake, FakeDialect.V2,
            b => b.Auth.TokenUrl = new Uri(proxies.V2Fake.BaseUri, "auth/token").ToString(), // the token endpoint is not in the v2 spec
            baseUri: proxies.V2.BaseUri, gateway: traffic.Attach());

        await ScenarioAsync(sp.Backend(), proxies.V2Fake, "p2_");

        AssertClean(traffic.Without("/auth/token"));
    }
}
