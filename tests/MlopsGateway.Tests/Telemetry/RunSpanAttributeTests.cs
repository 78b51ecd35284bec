using MlopsGateway.Testing;

namespace MlopsGateway.Tests.Telemetry;

/// <summary>
/// Issue 12, defect 2: the spans an <see cref="ActiveRun"/> makes when it is disposed carry the server like every
/// other operation span, and the spans of operations that create a run name the run they created.
/// </summary>
public sealed class RunSpanAttributeTests
{
    [Fact]
    public async Task Flush_and_End_of_a_disposed_run_carry_the_server_and_created_runs_carry_their_id()
    {
        await using var gateway = await TracedGateway.StartAsync();
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);

        using var root = ExportedSpans.StartTestRoot();
        var created = await backend.Runs.CreateRunAsync("e1");
        string startedId;
        await using (var run = await backend.Runs.StartAsync("exp"))
        {
            startedId = run.Id;
            run.LogParam("lr", 0.1);
            run.Complete();
        }

        var trace = spans.InTrace(root.TraceId);
        trace.Single(a => a.DisplayName == "Runs.CreateRun").GetTagItem("mlops.run.id").Should().Be(created.Id);
        trace.Single(a => a.DisplayName == "Runs.Start").GetTagItem("mlops.run.id").Should().Be(startedId);
        foreach (var name in new[] { "Runs.Flush", "Runs.End" })
        {
            var span = trace.Should().ContainSingle(a => a.DisplayName == name).Which;
            span.GetTagItem("server.address").Should().Be("127.0.0.1", name);
            span.GetTagItem("server.port").Should().Be(server.BaseUri.Port, name);
            span.GetTagItem("mlops.run.id").Should().Be(startedId, name);
            span.GetTagItem("mlops.backend.kind").Should().Be("TestHttp", name);
        }
    }
}
