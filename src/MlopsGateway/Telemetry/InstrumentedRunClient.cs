namespace MlopsGateway;

internal sealed class InstrumentedRunClient(IRunClient inner, InstrumentedBackend b) : IRunClient
{
    public Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.CreateExperiment", default, () => inner.CreateExperimentAsync(name, options, cancellationToken));

    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.GetExperiment", default, () => inner.GetExperimentAsync(experimentId, cancellationToken));

    public Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.GetExperimentByName", default, () => inner.GetExperimentByNameAsync(name, cancellationToken));

    public MlopsPageable<Experiment> ListExperimentsAsync(ExperimentQuery? query = null, CancellationToken cancellationToken = default)
        => b.List("Runs.ListExperiments", default, () => inner.ListExperimentsAsync(query, cancellationToken));

    public Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.DeleteExperiment", default, () => inner.DeleteExperimentAsync(experimentId, cancellationToken));

    public Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.RestoreExperiment", default, () => inner.RestoreExperimentAsync(experimentId, cancellationToken));

    public Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.CreateRun", default, () => inner.CreateRunAsync(experimentId, options, cancellationToken));

    /// <summary>
    /// Deliberately not async: the run's <c>Runs.Run</c> span is started here and becomes the caller's current span,
    /// so everything the caller does with the run until it is disposed (uploads, flushes, its own spans) joins the
    /// run's trace; disposing the run ends the span and hands the caller its previous span back.
    /// </summary>
    public Task<ActiveRun> StartAsync(string experimentName, RunStartOptions? options = null, CancellationToken cancellationToken = default)
    {
        // A backend without run tracking refuses before any request: no run, so no span to leave behind as current.
        var lifetime = b.Capabilities.Supports(MlopsCapability.RunTracking) ? RunLifetimeSpan.Start(b.Operations, experimentName) : RunLifetimeSpan.None;
        return StartWithinAsync(lifetime, experimentName, options, cancellationToken);
    }

    private async Task<ActiveRun> StartWithinAsync(RunLifetimeSpan lifetime, string experimentName, RunStartOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            var run = await b.InvokeAsync("Runs.Start", default, () => inner.StartAsync(experimentName, options, cancellationToken)).ConfigureAwait(false);
            run.AttachTelemetry(b.Operations, lifetime);
            return run;
        }
        catch (Exception ex)
        {
            lifetime.RecordFailure(ex);
            lifetime.End(status: null);
            throw;
        }
    }

    public Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.Get", InstrumentedBackend.RunTag(run), () => inner.GetAsync(run, cancellationToken));

    public MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
        => b.List("Runs.List", query?.PipelineId is { } p ? InstrumentedBackend.PipelineTag(p) : default, () => inner.ListAsync(query, cancellationToken));

    public Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.LogBatch", InstrumentedBackend.RunTag(run), () => inner.LogBatchAsync(run, batch, cancellationToken));

    public Task SetTagAsync(RunRef run, string key, string value, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.SetTag", InstrumentedBackend.RunTag(run), () => inner.SetTagAsync(run, key, value, cancellationToken));

    public Task DeleteTagAsync(RunRef run, string key, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.DeleteTag", InstrumentedBackend.RunTag(run), () => inner.DeleteTagAsync(run, key, cancellationToken));

    public MlopsPageable<MetricPoint> GetMetricHistoryAsync(RunRef run, string metricKey, CancellationToken cancellationToken = default)
        => b.List("Runs.GetMetricHistory", InstrumentedBackend.RunTag(run), () => inner.GetMetricHistoryAsync(run, metricKey, cancellationToken));

    public Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.End", InstrumentedBackend.RunTag(run), () => inner.EndAsync(run, status, cancellationToken));

    public Task CancelAsync(RunRef run, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.Cancel", InstrumentedBackend.RunTag(run), () => inner.CancelAsync(run, cancellationToken));

    public Task<Run> RetryAsync(RunRef run, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.Retry", InstrumentedBackend.RunTag(run), () => inner.RetryAsync(run, cancellationToken));

    public Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.Delete", InstrumentedBackend.RunTag(run), () => inner.DeleteAsync(run, cancellationToken));

    public Task UploadArtifactAsync(RunRef run, string path, Stream content, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.UploadArtifact", InstrumentedBackend.RunTag(run), () => inner.UploadArtifactAsync(run, path, content, cancellationToken));

    public Task<Stream> DownloadArtifactAsync(RunRef run, string path, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.DownloadArtifact", InstrumentedBackend.RunTag(run), () => inner.DownloadArtifactAsync(run, path, cancellationToken));

    public MlopsPageable<ArtifactInfo> ListArtifactsAsync(RunRef run, string? path = null, CancellationToken cancellationToken = default)
        => b.List("Runs.ListArtifacts", InstrumentedBackend.RunTag(run), () => inner.ListArtifactsAsync(run, path, cancellationToken));

    public Task<Run> WaitForCompletionAsync(RunRef run, WaitOptions? options = null, IProgress<Run>? progress = null, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Runs.WaitForCompletion", InstrumentedBackend.RunTag(run),
            () => inner.WaitForCompletionAsync(run, options, RunProgressEvents.Around(OperationScope.Current?.Activity, progress), cancellationToken),
            parent: b.Triggered.ParentFor(run));
}
