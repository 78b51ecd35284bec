namespace MlopsGateway;

internal sealed class InstrumentedPipelineClient(IPipelineClient inner, InstrumentedBackend b) : IPipelineClient
{
    public MlopsPageable<Pipeline> ListAsync(PipelineQuery? query = null, CancellationToken cancellationToken = default)
        => b.List("Pipelines.List", default, () => inner.ListAsync(query, cancellationToken));

    public Task<Pipeline> GetAsync(string pipelineId, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.Get", InstrumentedBackend.PipelineTag(pipelineId), () => inner.GetAsync(pipelineId, cancellationToken));

    public Task<Pipeline> GetByNameAsync(string name, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.GetByName", default, () => inner.GetByNameAsync(name, cancellationToken));

    public Task DeleteAsync(string pipelineId, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.Delete", InstrumentedBackend.PipelineTag(pipelineId), () => inner.DeleteAsync(pipelineId, cancellationToken));

    public MlopsPageable<PipelineVersion> ListVersionsAsync(string pipelineId, PipelineVersionQuery? query = null, CancellationToken cancellationToken = default)
        => b.List("Pipelines.ListVersions", InstrumentedBackend.PipelineTag(pipelineId), () => inner.ListVersionsAsync(pipelineId, query, cancellationToken));

    public Task<PipelineVersion> GetVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.GetVersion", InstrumentedBackend.PipelineTag(pipelineId), () => inner.GetVersionAsync(pipelineId, versionId, cancellationToken));

    public Task DeleteVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.DeleteVersion", InstrumentedBackend.PipelineTag(pipelineId), () => inner.DeleteVersionAsync(pipelineId, versionId, cancellationToken));

    public Task<Pipeline> UploadAsync(PipelineUpload upload, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.Upload", default, () => inner.UploadAsync(upload, cancellationToken));

    public Task<PipelineVersion> UploadVersionAsync(string pipelineId, PipelineUpload upload, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.UploadVersion", InstrumentedBackend.PipelineTag(pipelineId), () => inner.UploadVersionAsync(pipelineId, upload, cancellationToken));

    public Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.Trigger", InstrumentedBackend.PipelineTag(pipelineId), async () =>
        {
            OperationScope.Current?.SetTag(MlopsTelemetry.CicdPipelineNameAttribute, pipelineId);
            var run = await inner.TriggerAsync(pipelineId, options, cancellationToken).ConfigureAwait(false);
            OperationScope.Current?.SetTag(MlopsTelemetry.RunIdAttribute, run.Id);
            OperationScope.Current?.SetTag(MlopsTelemetry.CicdPipelineRunIdAttribute, run.Id);
            b.Triggered.Remember(run.Id, OperationScope.Current?.Activity);
            return run;
        });

    public MlopsPageable<TaskRun> ListTaskRunsAsync(RunRef run, CancellationToken cancellationToken = default)
        => b.List("Pipelines.ListTaskRuns", InstrumentedBackend.RunTag(run), () => inner.ListTaskRunsAsync(run, cancellationToken));

    public IAsyncEnumerable<string> ReadTaskLogAsync(RunRef run, string taskId, TaskLogOptions? options = null, CancellationToken cancellationToken = default)
        => b.Stream("Pipelines.ReadTaskLog", InstrumentedBackend.RunTag(run), () => inner.ReadTaskLogAsync(run, taskId, options, cancellationToken), cancellationToken);

    public Task<Pipeline> PauseAsync(string pipelineId, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.Pause", InstrumentedBackend.PipelineTag(pipelineId), () => inner.PauseAsync(pipelineId, cancellationToken));

    public Task<Pipeline> ResumeAsync(string pipelineId, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Pipelines.Resume", InstrumentedBackend.PipelineTag(pipelineId), () => inner.ResumeAsync(pipelineId, cancellationToken));
}
