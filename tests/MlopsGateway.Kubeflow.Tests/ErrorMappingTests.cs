using System.Net;
using System.Net.Sockets;
using MlopsGateway.Testing;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>
/// Every failure of every Refit interface, reached through the public API, is the gateway's exception hierarchy with
/// the backend, the operation, the HTTP status, the backend's error code and the server's request id — never Refit's
/// <c>ApiException</c>, not even as an inner exception.
/// </summary>
public sealed class ErrorMappingTests
{
    private const string RequestId = "req-4711";

    /// <summary>One public call per API area (KFP health, pipelines, experiments, runs, recurring runs, node artifacts; registry models, versions, artifacts) and its operation name.</summary>
    private static IEnumerable<(string Operation, Func<IMlopsBackend, Task> Call)> Calls()
    {
        yield return ("Runs.CreateExperiment", b => b.Runs.CreateExperimentAsync("e")); // no Namespace: asks healthz first
        yield return ("Pipelines.Get", b => b.Pipelines.GetAsync("p-1"));
        yield return ("Pipelines.Upload", b => b.Pipelines.UploadAsync(new PipelineUpload { Name = "p", Content = new MemoryStream("x"u8.ToArray()) }));
        yield return ("Pipelines.List", b => b.Pipelines.ListAsync().FirstPageAsync(null));
        yield return ("Runs.GetExperiment", b => b.Runs.GetExperimentAsync("e-1"));
        yield return ("Pipelines.Trigger", b => b.Pipelines.TriggerAsync("p-1"));
        yield return ("Runs.Get", b => b.Runs.GetAsync("r-1"));
        yield return ("Runs.Cancel", b => b.Runs.CancelAsync("r-1"));
        yield return ("Schedules.Get", b => b.GetService<KubeflowSchedules>()!.GetAsync("s-1"));
        yield return ("Archive.ArchiveRun", b => b.GetService<KubeflowArchive>()!.ArchiveRunAsync("r-1"));
        yield return ("NodeArtifacts.Read", b => b.GetService<KubeflowNodeArtifacts>()!.ReadAsync("r-1", "node", "metrics"));
        yield return ("Models.CreateModel", b => b.Models.CreateModelAsync("m"));
        yield return ("Models.GetVersion", b => b.Models.GetVersionAsync("m", "1"));
        yield return ("ModelArtifacts.Get", b => b.GetService<KubeflowModelArtifacts>()!.GetAsync("7"));
    }

    private static void AssertNoApiException(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            e.Should().NotBeAssignableTo<Refit.ApiException>();
        }
    }

    [Fact]
    public async Task Every_error_answer_is_an_MlopsException_with_backend_operation_status_code_and_request_id()
    {
        await using var server = FakeServer.Start().Fallback(r => FakeResponse.JsonText(404, r.Path == "/api/model_registry" || r.Path.StartsWith("/api/model_registry/", StringComparison.Ordinal)
                ? """{"code":"NOT_FOUND","message":"no such thing"}"""
                : """{"code":5,"message":"wrapped: no such thing","details":[{"@type":"type.googleapis.com/google.rpc.Status","message":"no such thing"}]}""")
            .WithHeader("x-request-id", RequestId));
        var backend = Harness.Create(server.BaseUri, server.BaseUri);

        foreach (var (operation, call) in Calls())
        {
            var thrown = (await ((Func<Task>)(() => call(backend))).Should().ThrowAsync<MlopsNotFoundException>(operation)).Which;
            thrown.Backend.Should().Be(Harness.Name, operation);
            thrown.Operation.Should().Be(operation);
            thrown.Status.Should().Be(404, operation);
            thrown.ErrorCode.Should().Be("NOT_FOUND", operation);
            thrown.RequestId.Should().Be(RequestId, operation);
            thrown.Message.Should().Contain("no such thing", operation).And.NotContain("wrapped:", operation);
            AssertNoApiException(thrown);
        }
    }

    [Fact]
    public async Task A_success_answer_that_is_not_the_expected_JSON_is_an_MlopsException()
    {
        await using var server = FakeServer.Start().Fallback(_ => FakeResponse.Text(200, "<html>login</html>", "text/html"));
        var backend = Harness.Create(server.BaseUri, server.BaseUri);

        foreach (var (operation, call) in Calls().Where(c => c.Operation is not ("Runs.Cancel" or "Archive.ArchiveRun")))
        {
            var thrown = (await ((Func<Task>)(() => call(backend))).Should().ThrowAsync<MlopsException>(operation)).Which;
            thrown.Operation.Should().Be(operation);
            thrown.Backend.Should().Be(Harness.Name, operation);
            thrown.Status.Should().Be(200, operation);
            thrown.Message.Should().Contain("not the expected JSON", operation);
            AssertNoApiException(thrown);
        }
    }

    [Fact]
    public async Task A_server_that_refuses_connections_is_unavailable()
    {
        var closed = ClosedPort();
        var backend = Harness.Create(closed, closed, o => o.Resilience.MaxRetryAttempts = 1);

        foreach (var (operation, call) in Calls())
        {
            var thrown = (await ((Func<Task>)(() => call(backend))).Should().ThrowAsync<MlopsUnavailableException>(operation)).Which;
            thrown.Operation.Should().Be(operation);
            thrown.Backend.Should().Be(Harness.Name, operation);
            thrown.Status.Should().BeNull(operation);
            AssertNoApiException(thrown);
        }
    }

    private static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
    }
}
