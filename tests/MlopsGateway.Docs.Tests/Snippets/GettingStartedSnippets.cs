using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MlopsGateway.Docs.Tests.Snippets;

/// <summary>docs/getting-started.md's optional last step (the program itself is samples/GettingStarted, run by the MLflow tests).</summary>
public sealed class GettingStartedSnippets
{
    [Fact]
    public void The_tracer_can_export_to_a_dashboard_over_OTLP_instead_of_the_console()
    {
        #region Snippet:GettingStarted_Otlp
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddMlopsGatewayInstrumentation()
            .AddSource("System.Net.Http")
            .AddOtlpExporter()   // http://localhost:4317, or OTEL_EXPORTER_OTLP_ENDPOINT
            .Build();
        #endregion

        tracing.Should().NotBeNull();
    }
}
