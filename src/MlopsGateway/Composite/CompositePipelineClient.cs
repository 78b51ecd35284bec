using System.Runtime.CompilerServices;

namespace MlopsGateway;

internal sealed class CompositePipelineClient(CompositeBackend c) : IPipelineClient
{
    private IPipelineClient Route => c.Get(c.PipelinesBackend).Pipelines;
    private RunRoute For(RunRef run, [CallerMemberName] string method = "") => c.RouteRun(run, "Pipelines", c.PipelinesBackend, method);

    public MlopsPageable<Pipeline> ListAsync(PipelineQuery? query = null, CancellationToken cancellationToken = default) => Route.ListAsync(query, cancellationToken);
    public Task<Pipeline> GetAsync(string pipelineId, CancellationToken cancellationToken = default) => Route.GetAsync(pipelineId, cancellationToken);
    public Task<Pipeline> GetByNameAsync(string name, CancellationToken cancellationToken = default) => Route.GetByNameAsync(name, cancellationToken);
    public Task DeleteAsync(string pipelineId, CancellationToken cancellationToken = default) => Route.DeleteAsync(pipelineId, cancellationToken);
    public MlopsPageable<PipelineVersion> ListVersionsAsync(string pipelineId, PipelineVersionQuery? query = null, CancellationToken cancellationToken = default) => Route.ListVersionsAsync(pipelineId, query, cancellationToken);
    public Task<PipelineVersion> GetVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default) => Route.GetVersionAsync(pipelineId, versionId, cancellationToken);
    public Task DeleteVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default) => Route.DeleteVersionAsync(pipelineId, versionId, cancellationToken);
    public Task<Pipeline> UploadAsync(PipelineUpload upload, CancellationToken cancellationToken = default) => Route.UploadAsync(upload, cancellationToken);
    public Task<PipelineVersion> UploadVersionAsync(string pipelineId, PipelineUpload upload, CancellationToken cancellationToken = default) => Route.UploadVersionAsync(pipelineId, upload, cancellationToken);
    public Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default) => Route.TriggerAsync(pipelineId, options, cancellationToken);
    public MlopsPageable<TaskRun> ListTaskRunsAsync(RunRef run, CancellationToken cancellationToken = default) => For(run).List(b => b.Pipelines.ListTaskRunsAsync(run, cancellationToken));
    public IAsyncEnumerable<string> ReadTaskLogAsync(RunRef run, string taskId, TaskLogOptions? options = null, CancellationToken cancellationToken = default) => For(run).Stream(b => b.Pipelines.ReadTaskLogAsync(run, taskId, options, cancellationToken));
    public Task<Pipeline> PauseAsync(string pipelineId, CancellationToken cancellationToken = default) => Route.PauseAsync(pipelineId, cancellationToken);
    public Task<Pipeline> ResumeAsync(string pipelineId, CancellationToken cancellationToken = default) => Route.ResumeAsync(pipelineId, cancellationToken);
}
