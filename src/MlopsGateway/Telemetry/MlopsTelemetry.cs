using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlopsGateway;

/// <summary>
/// The gateway's OpenTelemetry contract: one <see cref="ActivitySource"/> and one <see cref="Meter"/>
/// named <c>MlopsGateway</c>, created once. Names here are public contract (renaming is breaking);
/// docs/telemetry.md lists them.
/// </summary>
public static class MlopsTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string SourceName = "MlopsGateway";

    /// <summary>Span attribute: the configured backend name.</summary>
    public const string BackendNameAttribute = "mlops.backend.name";
    /// <summary>Span attribute: the backend kind.</summary>
    public const string BackendKindAttribute = "mlops.backend.kind";
    /// <summary>Span attribute: the operation (<c>Runs.Get</c>).</summary>
    public const string OperationAttribute = "mlops.operation";
    /// <summary>Span attribute: the run id.</summary>
    public const string RunIdAttribute = "mlops.run.id";
    /// <summary>Span attribute: the pipeline id.</summary>
    public const string PipelineIdAttribute = "mlops.pipeline.id";
    /// <summary>Span attribute: the registered model name.</summary>
    public const string ModelNameAttribute = "mlops.model.name";
    /// <summary>Span attribute: the server host (OpenTelemetry semantic convention).</summary>
    public const string ServerAddressAttribute = "server.address";
    /// <summary>Span attribute: the server port (OpenTelemetry semantic convention).</summary>
    public const string ServerPortAttribute = "server.port";
    /// <summary>Span attribute: the exception type name of a failed operation (OpenTelemetry semantic convention).</summary>
    public const string ErrorTypeAttribute = "error.type";
    /// <summary>Span attribute borrowed from the CI/CD conventions: the pipeline name of a pipeline run.</summary>
    public const string CicdPipelineNameAttribute = "cicd.pipeline.name";
    /// <summary>Span attribute borrowed from the CI/CD conventions: the pipeline run id.</summary>
    public const string CicdPipelineRunIdAttribute = "cicd.pipeline.run.id";
    /// <summary>Span attribute: the experiment a tracked run belongs to (on <c>Runs.Run</c>).</summary>
    public const string ExperimentNameAttribute = "mlops.experiment.name";
    /// <summary>Span and event attribute: a run's normalized status (<c>Succeeded</c> …): the final one on <c>Runs.Run</c>, the polled one on progress events.</summary>
    public const string RunStatusAttribute = "mlops.run.status";
    /// <summary>Event attribute: the platform's own spelling of a polled run status.</summary>
    public const string RunRawStatusAttribute = "mlops.run.raw_status";
    /// <summary>Span attribute: how many times <c>Runs.WaitForCompletion</c> polled the run.</summary>
    public const string WaitPollsAttribute = "mlops.wait.polls";
    /// <summary>The span covering a tracked run's lifetime, from <c>Runs.StartAsync</c> or <c>Runs.RunAsync</c> until the run ends.</summary>
    public const string RunLifetimeSpanName = "Runs.Run";
    /// <summary>Span event on <c>Runs.WaitForCompletion</c> each time the polled status changes.</summary>
    public const string RunProgressEventName = "mlops.run.progress";
    /// <summary>Span attribute: how many items a fetched page held (on the span of each page fetch).</summary>
    public const string PageSizeAttribute = "mlops.page.size";
    /// <summary>Span event recorded for each retry of an HTTP call.</summary>
    public const string RetryEventName = "mlops.retry";
    /// <summary>Histogram of operation durations, in seconds.</summary>
    public const string OperationDurationMetric = "mlops.client.operation.duration";
    /// <summary>Counter of HTTP retries.</summary>
    public const string RetriesMetric = "mlops.client.retries";
    /// <summary>Counter of failed background flushes of the run-logging helper.</summary>
    public const string FlushFailuresMetric = "mlops.client.flush.failures";
    /// <summary>Gauge of metric values buffered by run-logging helpers and not yet sent.</summary>
    public const string BufferedMetricsMetric = "mlops.client.buffered_metrics";

    private static long s_buffered;

    /// <summary>The activity source every gateway span comes from.</summary>
    public static ActivitySource ActivitySource { get; } = new(SourceName, typeof(MlopsTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The meter every gateway metric comes from.</summary>
    public static Meter Meter { get; } = new(SourceName, typeof(MlopsTelemetry).Assembly.GetName().Version?.ToString());

    internal static Histogram<double> OperationDuration { get; } = Meter.CreateHistogram<double>(
        OperationDurationMetric, unit: "s", description: "Duration of gateway operations.");

    internal static Counter<long> Retries { get; } = Meter.CreateCounter<long>(
        RetriesMetric, unit: "{retry}", description: "HTTP retries performed by the gateway's resilience handler.");

    internal static Counter<long> FlushFailures { get; } = Meter.CreateCounter<long>(
        FlushFailuresMetric, unit: "{flush}", description: "Run-logging flushes that failed after retries.");

    internal static ObservableGauge<long> BufferedMetrics { get; } = Meter.CreateObservableGauge(
        BufferedMetricsMetric, () => Interlocked.Read(ref s_buffered), unit: "{metric}", description: "Metric values buffered and not yet sent.");

    internal static void AddBuffered(long delta) => Interlocked.Add(ref s_buffered, delta);
}
