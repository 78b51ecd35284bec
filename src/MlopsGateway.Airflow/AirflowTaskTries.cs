using MlopsGateway.Airflow.Api;
using MlopsGateway.Http;

namespace MlopsGateway.Airflow;

/// <summary>
/// The attempts ("tries") of an Airflow task instance, which <see cref="IPipelineClient.ListTaskRunsAsync"/>
/// reports only as the latest <see cref="TaskRun.Attempt"/>. Get it with
/// <c>backend.GetService&lt;AirflowTaskTries&gt;()</c>; it speaks both API dialects
/// (<c>GET …/taskInstances/{task_id}[/{map_index}]/tries</c>, Airflow 2.10 or later).
/// </summary>
public sealed class AirflowTaskTries
{
    private readonly AirflowBackend _backend;

    internal AirflowTaskTries(AirflowBackend backend) => _backend = backend;

    /// <summary>
    /// Lists every attempt of one task instance, oldest first: one <see cref="TaskRun"/> per try, with
    /// <see cref="TaskRun.Attempt"/> the try number and that try's status, raw state, times and
    /// <c>Native</c> JSON. Pass an attempt to <see cref="TaskLogOptions.Attempt"/> to read its log. A task
    /// that has not started yet lists one entry with attempt 0.
    /// </summary>
    /// <param name="run">The run (<see cref="Run.Id"/>, <c>dagId/dagRunId</c>).</param>
    /// <param name="taskId">A <see cref="TaskRun.Id"/>: the task id, or <c>taskId/mapIndex</c> for a mapped instance.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The attempts, one per try number.</returns>
    /// <exception cref="MlopsNotFoundException">The run or task instance does not exist (Airflow 2 answers such a request with an empty list, reported the same way).</exception>
    public Task<IReadOnlyList<TaskRun>> ListAsync(RunRef run, string taskId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("TaskTries.List", () => ListCoreAsync(run, taskId, cancellationToken), new OperationSubject(RunId: run?.Id));

    private async Task<IReadOnlyList<TaskRun>> ListCoreAsync(RunRef run, string taskId, CancellationToken cancellationToken = default)
    {
        var (dagId, dagRunId) = _backend.ParseRunId(MlopsGuard.RunId(run));
        var (task, mapIndex) = AirflowMapping.ParseTaskRunId(taskId);
        var runId = AirflowMapping.RunId(dagId, dagRunId);
        var tries = await _backend.Api.ListTaskInstanceTriesAsync(dagId, dagRunId, task, mapIndex, cancellationToken).ConfigureAwait(false);
        if (tries.Count == 0)
        {
            throw MlopsErrors.Create(MlopsErrorKind.NotFound,
                $"Airflow lists no tries for task '{taskId}' of run '{runId}': the run or the task instance does not exist.", _backend.Context, 404);
        }
        return AirflowMapping.ToTaskTries(tries, runId, _backend.Context.Name);
    }
}
