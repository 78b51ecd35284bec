using MlopsGateway;

namespace OpenTelemetry.Trace
{
    /// <summary>Enables MlopsGateway spans on an OpenTelemetry tracer provider.</summary>
    public static class MlopsGatewayTracerProviderBuilderExtensions
    {
        /// <summary>Subscribes to the <c>MlopsGateway</c> activity source (operation, page and flush spans). HTTP client spans come from .NET's own <c>System.Net.Http</c> source.</summary>
        /// <param name="builder">The tracer provider builder.</param>
        public static TracerProviderBuilder AddMlopsGatewayInstrumentation(this TracerProviderBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            return builder.AddSource(MlopsTelemetry.SourceName);
        }
    }
}

namespace OpenTelemetry.Metrics
{
    /// <summary>Enables MlopsGateway metrics on an OpenTelemetry meter provider.</summary>
    public static class MlopsGatewayMeterProviderBuilderExtensions
    {
        /// <summary>Subscribes to the <c>MlopsGateway</c> meter (operation duration, retries, flush failures, buffered metrics).</summary>
        /// <param name="builder">The meter provider builder.</param>
        public static MeterProviderBuilder AddMlopsGatewayInstrumentation(this MeterProviderBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            return builder.AddMeter(MlopsTelemetry.SourceName);
        }
    }
}
