namespace MlopsGateway;

/// <summary>
/// Base for an adapter's <see cref="IRunClient"/>: every operation throws
/// <see cref="MlopsNotSupportedException"/> until overridden; <see cref="StartAsync"/> (the buffered
/// run-logging helper) and <see cref="WaitForCompletionAsync"/> are implemented once here on top of
/// the overridable primitives.
/// </summary>
public abstract class RunClientBase : SubClientBase, IRunClient
{
    /// <summary>Creates the client.</summary>
    /// <param name="backend">The owning backend.</param>
    protected RunClientBase(MlopsBackendBase backend) : base(backend) { }

    /// <inheritdoc/>
    protected override string SubClientName => "Runs";

    /// <inheritdoc/>
    public virtual Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default) => throw NotSupported("CreateExperiment");

    /// <inheritdoc/>
    public virtual Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) => throw NotSupported("GetExperiment");

    /// <inheritdoc/>
    public virtual Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default) => throw NotSupported("GetExperimentByName");

    /// <inheritdoc/>
    public virtual MlopsPageable<Experiment> ListExperimentsAsync(ExperimentQuery? query = null, CancellationToken cancellationToken = default) => throw NotSupported("ListExperiments");

    /// <inheritdoc/>
    public virtual Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default) => throw NotSupported("DeleteExperiment");

    /// <inheritdoc/>
    public virtual Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken = default) => throw NotSupported("RestoreExperiment");

    /// <inheritdoc/>
    public virtual Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default) => throw NotSupported("CreateRun");

    /// <inheritdoc/>
    public virtual Task<ActiveRun> StartAsync(string experimentName, RunStartOptions? options = null, CancellationToken cancellationToken = default)
    {
        Require(MlopsCapability.RunTracking, "Start");
        return ActiveRun.StartAsync(this, experimentName, options, Backend.Capabilities.Limits, Context.TimeProvider, cancellationToken);
    }

    /// <inheritdoc/>
    public virtual Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default) => throw NotSupported("Get");

    /// <inheritdoc/>
    public virtual MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default) => throw NotSupported("List");

    /// <inheritdoc/>
    public virtual Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default) => throw NotSupported("LogBatch");

    /// <inheritdoc/>
    public virtual Task SetTagAsync(RunRef run, string key, string value, CancellationToken cancellationToken = default) => throw NotSupported("SetTag");

    /// <inheritdoc/>
    public virtual Task DeleteTagAsync(RunRef run, string key, CancellationToken cancellationToken = default) => throw NotSupported("DeleteTag");

    /// <inheritdoc/>
    public virtual MlopsPageable<MetricPoint> GetMetricHistoryAsync(RunRef run, string metricKey, CancellationToken cancellationToken = default) => throw NotSupported("GetMetricHistory");

    /// <inheritdoc/>
    public virtual Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default) => throw NotSupported("End");

    /// <inheritdoc/>
    public virtual Task CancelAsync(RunRef run, CancellationToken cancellationToken = default) => throw NotSupported("Cancel");

    /// <inheritdoc/>
    public virtual Task<Run> RetryAsync(RunRef run, CancellationToken cancellationToken = default) => throw NotSupported("Retry");

    /// <inheritdoc/>
    public virtual Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default) => throw NotSupported("Delete");

    /// <inheritdoc/>
    public virtual Task UploadArtifactAsync(RunRef run, string path, Stream content, CancellationToken cancellationToken = default) => throw NotSupported("UploadArtifact");

    /// <inheritdoc/>
    public virtual Task<Stream> DownloadArtifactAsync(RunRef run, string path, CancellationToken cancellationToken = default) => throw NotSupported("DownloadArtifact");

    /// <inheritdoc/>
    public virtual MlopsPageable<ArtifactInfo> ListArtifactsAsync(RunRef run, string? path = null, CancellationToken cancellationToken = default) => throw NotSupported("ListArtifacts");

    /// <inheritdoc/>
    public virtual Task<Run> WaitForCompletionAsync(RunRef run, WaitOptions? options = null, IProgress<Run>? progress = null, CancellationToken cancellationToken = default)
    {
        Require(MlopsCapability.RunRead, "WaitForCompletion");
        return RunWaiter.WaitAsync(ct => GetAsync(run, ct), Context.TimeProvider, options, progress, cancellationToken);
    }
}
