using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Samples;

/// <summary>
/// How every sample hands the gateway's telemetry to OpenTelemetry — the setup an application writes:
/// traces from the <c>MlopsGateway</c> source with .NET's HTTP client spans beneath them, and the
/// <c>MlopsGateway</c> meter (operation durations, retries, buffered values). When
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set both go over OTLP, configured by the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> variables (protocol, headers). Start the host so the providers are built;
/// disposing it flushes what is left (the last metrics included).
/// </summary>
internal static class SampleTelemetry
{
    /// <summary>Adds tracing and metrics; returns whether they are exported over OTLP.</summary>
    /// <param name="builder">The sample's host builder.</param>
    /// <param name="serviceName">The <c>service.name</c> the sample reports as (the resource name in a dashboard).</param>
    /// <param name="tracing">More tracing setup (the sample's own sources, a span printer).</param>
    public static bool AddSampleTelemetry(this IHostApplicationBuilder builder, string serviceName, Action<TracerProviderBuilder>? tracing = null)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!otlp && tracing is null)
        {
            return false;
        }
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(t =>
            {
                t.AddMlopsGatewayInstrumentation().AddSource("System.Net.Http");
                tracing?.Invoke(t);
            })
            .WithMetrics(m => m.AddMlopsGatewayInstrumentation());
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }
        return otlp;
    }
}
