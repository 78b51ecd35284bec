using System.Runtime.CompilerServices;

namespace MlopsGateway;

internal sealed class CompositeRunClient(CompositeBackend c) : IRunClient
{
    private IRunClient Route => c.Get(c.RunsBackend).Runs;
    private RunRoute For(RunRef run, [CallerMemberName] string method = "") => c.RouteRun(run, "Runs", c.RunsBackend, method);

    public Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default) => Route.CreateExperimentAsync(name, options, cancellationToken);
    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) => Route.GetExperimentAsync(experimentId, cancellationToken);
    public Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default) => Route.GetExperimentByNameAsync(name, cancellationToken);
    public MlopsPageable<Experiment> ListExperimentsAsync(ExperimentQuery? query = null, CancellationToken cancellationToken = default) => Route.ListExperimentsAsync(query, cancellationToken);
    public Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default) => Route.DeleteExperimentAsync(experimentId, cancellationToken);
    public Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken = default) => Route.RestoreExperimentAsync(experimentId, cancellationToken);
    public Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default) => Route.CreateRunAsync(experimentId, options, cancellationToken);
    public Task<ActiveRun> StartAsync(string experimentName, RunStartOptions? options = null, CancellationToken cancellationToken = default) => Route.StartAsync(experimentName, options, cancellationToken);
    public Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.GetAsync(run, cancellationToken));

    public MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
        => (query?.PipelineId is null ? Route : c.Get(c.PipelinesBackend).Runs).ListAsync(query, cancellationToken);

    public Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.LogBatchAsync(run, batch, cancellationToken));
    public Task SetTagAsync(RunRef run, string key, string value, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.SetTagAsync(run, key, value, cancellationToken));
    public Task DeleteTagAsync(RunRef run, string key, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.DeleteTagAsync(run, key, cancellationToken));
    public MlopsPageable<MetricPoint> GetMetricHistoryAsync(RunRef run, string metricKey, CancellationToken cancellationToken = default) => For(run).List(b => b.Runs.GetMetricHistoryAsync(run, metricKey, cancellationToken));
    public Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.EndAsync(run, status, cancellationToken));
    public Task CancelAsync(RunRef run, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.CancelAsync(run, cancellationToken));
    public Task<Run> RetryAsync(RunRef run, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.RetryAsync(run, cancellationToken));
    public Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.DeleteAsync(run, cancellationToken));
    public Task UploadArtifactAsync(RunRef run, string path, Stream content, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.UploadArtifactAsync(run, path, content, cancellationToken));
    public Task<Stream> DownloadArtifactAsync(RunRef run, string path, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.DownloadArtifactAsync(run, path, cancellationToken));
    public MlopsPageable<ArtifactInfo> ListArtifactsAsync(RunRef run, string? path = null, CancellationToken cancellationToken = default) => For(run).List(b => b.Runs.ListArtifactsAsync(run, path, cancellationToken));
    public Task<Run> WaitForCompletionAsync(RunRef run, WaitOptions? options = null, IProgress<Run>? progress = null, CancellationToken cancellationToken = default) => For(run).InvokeAsync(b => b.Runs.WaitForCompletionAsync(run, options, progress, cancellationToken));
}
