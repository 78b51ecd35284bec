using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MlopsGateway.Docs.Tests.Snippets;

/// <summary>docs/telemetry.md's registration block.</summary>
public sealed class TelemetrySnippets
{
    [Fact]
    public void The_gateway_sources_are_added_to_the_tracer_and_meter_providers()
    {
        var services = new ServiceCollection();
        #region Snippet:Telemetry_Register
        services.AddOpenTelemetry()
            .WithTracing(t => t.AddMlopsGatewayInstrumentation().AddSource("System.Net.Http"))
            .WithMetrics(m => m.AddMlopsGatewayInstrumentation())
            .UseOtlpExporter();
        #endregion

        services.Should().Contain(d => d.ServiceType == typeof(TracerProvider)).And.Contain(d => d.ServiceType == typeof(MeterProvider));
    }
}
