using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.MLflow;
using MlopsGateway.Testing;

namespace MlopsGateway.Tests.Telemetry;

/// <summary>
/// Issue 12, defect 3: a refusal made before anything is sent is an <see cref="MlopsException"/> like any other,
/// carrying the backend and the operation — stamped once, where the operation is known, not at each throw site.
/// </summary>
public sealed class ErrorContextTests
{
    [Fact]
    public async Task Refusals_before_sending_name_the_backend_and_the_operation()
    {
        await using var server = FakeServer.Start();
        var services = new ServiceCollection();
        services.AddMlopsGateway(o => o.Backends["tracking"] = new BackendOptions { Type = "MLflow", BaseUrl = server.BaseUri.ToString() }).AddMLflow();
        await using var sp = services.BuildServiceProvider();
        var runs = sp.GetRequiredService<IMlopsBackend>().Runs;

        var longParam = await runs.Invoking(r => r.LogBatchAsync("r1", new RunLogBatch { Params = [new("note", new string('x', 6001))] }))
            .Should().ThrowAsync<MlopsValidationException>();
        longParam.Which.Backend.Should().Be("tracking");
        longParam.Which.Operation.Should().Be("Runs.LogBatch");

        using var content = new MemoryStream([1]);
        var traversal = await runs.Invoking(r => r.UploadArtifactAsync("r1", "../outside.txt", content))
            .Should().ThrowAsync<MlopsValidationException>();
        traversal.Which.Backend.Should().Be("tracking");
        traversal.Which.Operation.Should().Be("Runs.UploadArtifact");

        var notTerminal = await runs.Invoking(r => r.EndAsync("r1", RunStatus.Running))
            .Should().ThrowAsync<MlopsValidationException>();
        notTerminal.Which.Backend.Should().Be("tracking");
        notTerminal.Which.Operation.Should().Be("Runs.End");

        server.Requests.Should().BeEmpty("every refusal happens before sending");
    }

    [Fact]
    public async Task A_value_the_run_buffer_refuses_names_the_backend_and_the_operation_it_was_meant_for()
    {
        await using var gateway = await TracedGateway.StartAsync();
        await using var run = await gateway.Backend.Runs.StartAsync("exp", new RunStartOptions { BufferCapacity = 1 });

        var tooLong = run.Invoking(r => r.LogParam("note", new string('x', 6001))).Should().Throw<MlopsValidationException>().Which;
        tooLong.Backend.Should().Be("t");
        tooLong.Operation.Should().Be("Runs.LogBatch");

        run.LogMetric("loss", 1);
        var full = run.Invoking(r => r.LogMetric("loss", 2)).Should().Throw<MlopsBufferFullException>().Which;
        full.Backend.Should().Be("t");
        full.Operation.Should().Be("Runs.LogBatch");
        run.Complete();
    }
}
