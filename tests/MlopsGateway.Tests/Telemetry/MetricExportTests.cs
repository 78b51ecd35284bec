using MlopsGateway.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MlopsGateway.Tests.Telemetry;

/// <summary>The documented instruments reach an OpenTelemetry exporter through <c>AddMlopsGatewayInstrumentation()</c>, as a user's meter provider collects them.</summary>
public sealed class MetricExportTests
{
    [Fact]
    public async Task Durations_retries_and_buffered_values_are_exported()
    {
        var exported = new List<Metric>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMlopsGatewayInstrumentation().AddInMemoryExporter(exported).Build()!;
        var calls = 0;
        await using var gateway = await TracedGateway.StartAsync(server => server
            .Route("GET", "/experiments/by-name", _ => Interlocked.Increment(ref calls) == 1 ? FakeResponse.Empty(503) : FakeResponse.JsonText(200, """{"id":"e1","name":"exp"}"""))
            .Route("POST", "/runs", _ => FakeResponse.JsonText(200, """{"id":"r1","status":"running"}"""))
            .Route("POST", "/runs/{id}/log", _ => FakeResponse.Empty(200))
            .Route("POST", "/runs/{id}/end", _ => FakeResponse.JsonText(200, """{"id":"r1","status":"done"}""")));

        await using (var run = await gateway.Backend.Runs.StartAsync("exp"))
        {
            run.LogMetric("loss", 0.5);
            meters.ForceFlush();
            run.Complete();
        }
        meters.ForceFlush();

        exported.Select(m => m.Name).Should().Contain(["mlops.client.operation.duration", "mlops.client.retries", "mlops.client.buffered_metrics"]);
        exported.Where(m => m.Name == "mlops.client.operation.duration").Should().OnlyContain(m => m.MeterName == "MlopsGateway" && m.Unit == "s");
    }
}
