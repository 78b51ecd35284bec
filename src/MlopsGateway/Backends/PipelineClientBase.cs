namespace MlopsGateway;

/// <summary>Base for an adapter's <see cref="IPipelineClient"/>: every operation throws <see cref="MlopsNotSupportedException"/> until overridden.</summary>
public abstract class PipelineClientBase : SubClientBase, IPipelineClient
{
    /// <summary>Creates the client.</summary>
    /// <param name="backend">The owning backend.</param>
    protected PipelineClientBase(MlopsBackendBase backend) : base(backend) { }

    /// <inheritdoc/>
    protected override string SubClientName => "Pipelines";

    /// <inheritdoc/>
    protected override string NotSupportedHint => "Route Pipelines to an Airflow, Kubeflow or Local backend.";

    /// <inheritdoc/>
    public virtual MlopsPageable<Pipeline> ListAsync(PipelineQuery? query = null, CancellationToken cancellationToken = default) => throw NotSupported("List");

    /// <inheritdoc/>
    public virtual Task<Pipeline> GetAsync(string pipelineId, CancellationToken cancellationToken = default) => throw NotSupported("Get");

    /// <inheritdoc/>
    public virtual Task<Pipeline> GetByNameAsync(string name, CancellationToken cancellationToken = default) => throw NotSupported("GetByName");

    /// <inheritdoc/>
    public virtual Task DeleteAsync(string pipelineId, CancellationToken cancellationToken = default) => throw NotSupported("Delete");

    /// <inheritdoc/>
    public virtual MlopsPageable<PipelineVersion> ListVersionsAsync(string pipelineId, PipelineVersionQuery? query = null, CancellationToken cancellationToken = default) => throw NotSupported("ListVersions");

    /// <inheritdoc/>
    public virtual Task<PipelineVersion> GetVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default) => throw NotSupported("GetVersion");

    /// <inheritdoc/>
    public virtual Task DeleteVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default) => throw NotSupported("DeleteVersion");

    /// <inheritdoc/>
    public virtual Task<Pipeline> UploadAsync(PipelineUpload upload, CancellationToken cancellationToken = default) => throw NotSupported("Upload");

    /// <inheritdoc/>
    public virtual Task<PipelineVersion> UploadVersionAsync(string pipelineId, PipelineUpload upload, CancellationToken cancellationToken = default) => throw NotSupported("UploadVersion");

    /// <inheritdoc/>
    public virtual Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default) => throw NotSupported("Trigger");

    /// <inheritdoc/>
    public virtual MlopsPageable<TaskRun> ListTaskRunsAsync(RunRef run, CancellationToken cancellationToken = default) => throw NotSupported("ListTaskRuns");

    /// <inheritdoc/>
    public virtual IAsyncEnumerable<string> ReadTaskLogAsync(RunRef run, string taskId, TaskLogOptions? options = null, CancellationToken cancellationToken = default) => throw NotSupported("ReadTaskLog");

    /// <inheritdoc/>
    public virtual Task<Pipeline> PauseAsync(string pipelineId, CancellationToken cancellationToken = default) => throw NotSupported("Pause");

    /// <inheritdoc/>
    public virtual Task<Pipeline> ResumeAsync(string pipelineId, CancellationToken cancellationToken = default) => throw NotSupported("Resume");
}
