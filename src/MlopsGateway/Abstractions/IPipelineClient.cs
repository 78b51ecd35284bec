namespace MlopsGateway;

/// <summary>
/// Orchestration: pipeline definitions (Airflow DAGs, KFP pipelines, Metaflow flows, Local
/// pipelines), triggering runs, and the task runs and logs of a run. The runs it creates are ordinary
/// <see cref="Run"/>s: get, wait, cancel and retry them through <see cref="IMlopsBackend.Runs"/>.
/// </summary>
public interface IPipelineClient
{
    /// <summary>Lists pipelines lazily, page by page.</summary>
    /// <param name="query">Optional filters and page size.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<Pipeline> ListAsync(PipelineQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a pipeline by id; <see cref="MlopsNotFoundException"/> when there is none.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Pipeline> GetAsync(string pipelineId, CancellationToken cancellationToken = default);

    /// <summary>Gets a pipeline by display name; <see cref="MlopsNotFoundException"/> when there is none.</summary>
    /// <param name="name">The pipeline name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Pipeline> GetByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a pipeline and its versions.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteAsync(string pipelineId, CancellationToken cancellationToken = default);

    /// <summary>Lists a pipeline's versions lazily, newest first where the platform allows.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="query">Paging (and, as platforms allow, filters); null lists every version.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<PipelineVersion> ListVersionsAsync(string pipelineId, PipelineVersionQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Gets one pipeline version.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="versionId">The version id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<PipelineVersion> GetVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default);

    /// <summary>Deletes one pipeline version.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="versionId">The version id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default);

    /// <summary>Uploads a new pipeline definition (KFP) and returns the created pipeline.</summary>
    /// <param name="upload">Name, content and description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Pipeline> UploadAsync(PipelineUpload upload, CancellationToken cancellationToken = default);

    /// <summary>Uploads a new version of an existing pipeline (KFP) and returns it.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="upload">Version name, content and description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<PipelineVersion> UploadVersionAsync(string pipelineId, PipelineUpload upload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a run of the pipeline and returns it. Without <see cref="TriggerOptions.RunId"/> the
    /// gateway generates an id where the platform accepts one, so a retried trigger returns the existing run.
    /// </summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="options">Parameters, run name, run id, version, experiment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the task runs (steps) of a run.</summary>
    /// <param name="run">The run (its backend of record is used by a composite).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<TaskRun> ListTaskRunsAsync(RunRef run, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a task's log as lines. With <see cref="TaskLogOptions.Follow"/> keeps reading (tailing)
    /// until the task is terminal and its log complete.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="taskId">The task id from <see cref="TaskRun.Id"/>.</param>
    /// <param name="options">Attempt and follow settings.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    IAsyncEnumerable<string> ReadTaskLogAsync(RunRef run, string taskId, TaskLogOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Pauses scheduling of a pipeline (Airflow) so no new scheduled runs start.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Pipeline> PauseAsync(string pipelineId, CancellationToken cancellationToken = default);

    /// <summary>Resumes scheduling of a paused pipeline.</summary>
    /// <param name="pipelineId">The pipeline id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Pipeline> ResumeAsync(string pipelineId, CancellationToken cancellationToken = default);
}
