using System.Text.Json.Nodes;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>
/// Every failure of every Airflow operation reaches the caller as the gateway's <see cref="MlopsException"/> hierarchy
/// (backend, operation, status, Airflow's error code, request id) — never Refit's <c>ApiException</c> — in both dialects,
/// and a route the server lacks is <see cref="MlopsEndpointNotFoundException"/>, not a missing object.
/// </summary>
public sealed class ErrorMappingTests
{
    private const string Run = "train/manual__2026-11-22T10%3A00%3A00%2B00%3A00";

    /// <summary>Each public operation with the name its exception carries.</summary>
    public static TheoryData<string> Operations => new(s_operations.Keys);

    private static readonly Dictionary<string, Func<IMlopsBackend, Task>> s_operations = new()
    {
        ["Pipelines.List"] = b => OperationReplay.FirstPageAsync(b.Pipelines.ListAsync(), null),
        ["Pipelines.Get"] = b => b.Pipelines.GetAsync("train"),
        ["Pipelines.Pause"] = b => b.Pipelines.PauseAsync("train"),
        ["Pipelines.Resume"] = b => b.Pipelines.ResumeAsync("train"),
        ["Pipelines.Delete"] = b => b.Pipelines.DeleteAsync("train"),
        ["Pipelines.Trigger"] = b => b.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "manual__2026-11-22T10:00:00+00:00" }),
        ["Pipelines.ListTaskRuns"] = b => OperationReplay.FirstPageAsync(b.Pipelines.ListTaskRunsAsync(Run), null),
        ["Pipelines.ReadTaskLog"] = b => b.Pipelines.ReadTaskLogAsync(Run, "fit").ToListAsync().AsTask(),
        ["Runs.Get"] = b => b.Runs.GetAsync(Run),
        ["Runs.List"] = b => OperationReplay.FirstPageAsync(b.Runs.ListAsync(), null),
        ["Runs.Cancel"] = b => b.Runs.CancelAsync(Run),
        ["Runs.Retry"] = b => b.Runs.RetryAsync(Run),
        ["Runs.Delete"] = b => b.Runs.DeleteAsync(Run),
        ["TaskTries.List"] = b => b.GetService<AirflowTaskTries>()!.ListAsync(Run, "fit"),
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_failure_carries_backend_operation_status_code_and_request_id_in_both_dialects(string operation)
    {
        // Airflow 2 (RFC 7807 problem, 400) and Airflow 3 (FastAPI validation list, 422), each with a request id header.
        foreach (var (apiVersion, status, body, code) in new[]
        {
            ("v1", 400, """{"detail": "'yes' is not of type 'boolean'", "status": 400, "title": "Bad Request", "type": "https://airflow.apache.org/docs/apache-airflow/2.10.3/stable-rest-api-ref.html#section/Errors/BadRequest"}""", "BadRequest"),
            ("v2", 422, """{"detail": [{"type": "missing", "loc": ["body", "logical_date"], "msg": "Field required", "input": {}}]}""", "missing"),
        })
        {
            await using var server = FakeServer.Start().Fallback(_ =>
                FakeResponse.Text(status, body, apiVersion == "v1" ? "application/problem+json" : "application/json").WithHeader("x-request-id", "req-42"));
            using var sp = AirflowHost.Build(server.BaseUri, apiVersion, b =>
            {
                b.Auth.Type = apiVersion == "v1" ? "Basic" : "Bearer";
                b.Auth.Username = "admin";
                b.Auth.Password = "admin";
                b.Auth.Token = "issued-elsewhere";
            });

            var thrown = (await FluentActions.Awaiting(() => s_operations[operation](sp.Backend())).Should().ThrowAsync<MlopsValidationException>(apiVersion)).Which;

            thrown.Backend.Should().Be(AirflowHost.Name);
            thrown.Operation.Should().Be(operation);
            thrown.Status.Should().Be(status);
            thrown.ErrorCode.Should().Be(code);
            thrown.RequestId.Should().Be("req-42");
            thrown.Message.Should().Contain(apiVersion == "v1" ? "'yes' is not of type 'boolean'" : "Field required");
            Chain(thrown).Should().NotContain(e => e.GetType().FullName!.StartsWith("Refit.", StringComparison.Ordinal), "Refit's exceptions never reach a caller");
            server.Requests.Should().ContainSingle("a 4xx is final");
        }
    }

    [Fact]
    public async Task A_body_that_is_not_the_expected_JSON_and_a_refused_connection_are_gateway_exceptions()
    {
        await using var server = FakeServer.Start().Fallback(_ => new FakeResponse { Body = System.Text.Encoding.UTF8.GetBytes("<html>proxy login</html>") });
        using var html = AirflowHost.Build(server.BaseUri, "v1");
        using var refused = AirflowHost.Build(new Uri("http://127.0.0.1:1/"), "v1", b => b.Resilience.MaxRetryAttempts = 0);

        var notJson = (await FluentActions.Awaiting(() => html.Backend().Pipelines.GetAsync("train")).Should().ThrowAsync<MlopsException>()).Which;
        var unavailable = (await FluentActions.Awaiting(() => refused.Backend().Runs.GetAsync(Run)).Should().ThrowAsync<MlopsUnavailableException>()).Which;

        notJson.Operation.Should().Be("Pipelines.Get");
        notJson.Backend.Should().Be(AirflowHost.Name);
        Chain(notJson).Should().NotContain(e => e.GetType().FullName!.StartsWith("Refit.", StringComparison.Ordinal));
        unavailable.Operation.Should().Be("Runs.Get");
        unavailable.Backend.Should().Be(AirflowHost.Name);
        Chain(unavailable).Should().NotContain(e => e.GetType().FullName!.StartsWith("Refit.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(404, """{"error": "invalid route"}""")]
    [InlineData(405, """{"detail": "Method Not Allowed"}""")]
    public async Task A_route_the_server_lacks_is_endpoint_not_found_and_never_counts_as_a_done_delete(int status, string body)
    {
        await using var server = FakeServer.Start().Fallback(_ => FakeResponse.JsonText(status, body));
        using var sp = AirflowHost.Build(server.BaseUri, "v2", b => { b.Auth.Type = "Bearer"; b.Auth.Token = "t"; });

        var get = (await FluentActions.Awaiting(() => sp.Backend().Pipelines.GetAsync("train")).Should().ThrowAsync<MlopsEndpointNotFoundException>()).Which;
        var delete = () => sp.Backend().Runs.DeleteAsync(Run);

        get.Status.Should().Be(status);
        get.RequestUri.Should().Be(new Uri(server.BaseUri, "api/v2/dags/train"));
        get.Message.Should().Contain(JsonNode.Parse(body)!.AsObject().Single().Value!.GetValue<string>());
        await delete.Should().ThrowAsync<MlopsEndpointNotFoundException>("a wrong BaseUrl is not an already-deleted run");
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }
}
