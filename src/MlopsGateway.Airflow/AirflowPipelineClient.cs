using System.Globalization;
using System.Runtime.CompilerServices;
using MlopsGateway.Airflow.Api;
using MlopsGateway.Http;

namespace MlopsGateway.Airflow;

/// <summary>
/// Airflow DAGs as pipelines: list, get, pause/resume, delete, trigger runs, and the task instances and
/// logs of a run. DAGs are Python files the scheduler parses, so upload and versions are not supported.
/// </summary>
internal sealed class AirflowPipelineClient(AirflowBackend backend) : PipelineClientBase(backend)
{
    private AirflowApi Api => backend.Api;

    /// <inheritdoc/>
    protected override string NotSupportedHint =>
        "Airflow DAGs are Python files the scheduler parses from its DAGs folder (Airflow 2) or a DAG bundle (Airflow 3); " +
        "deploy the file there (for example with git-sync) instead of uploading it, and Airflow does not version DAGs through its API.";

    /// <inheritdoc/>
    public override MlopsPageable<Pipeline> ListAsync(PipelineQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new PipelineQuery();
        var filter = new DagListFilter(string.IsNullOrEmpty(query.NameContains) ? null : query.NameContains, query.Tags, query.IsPaused);
        var pageable = AirflowPaging.Create(Api, query.PageSize,
            (offset, limit, ct) => Api.ListDagsAsync(filter, offset, limit, ct),
            dto => AirflowMapping.ToPipeline(dto, Context.Name),
            cancellationToken);
        // Airflow 2 returns DAGs with ANY of the tags; the query asks for all of them.
        return query.Tags.Count > 1 ? pageable.Where(p => query.Tags.All(p.Tags.ContainsKey)) : pageable;
    }

    /// <inheritdoc/>
    public override async Task<Pipeline> GetAsync(string pipelineId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(pipelineId);
        var dto = await Api.GetDagAsync(pipelineId, cancellationToken).ConfigureAwait(false);
        return AirflowMapping.ToPipeline(dto, Context.Name);
    }

    /// <summary>Gets a DAG by id, or else the DAG whose display name is <paramref name="name"/>.</summary>
    /// <param name="name">A DAG id or display name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public override async Task<Pipeline> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(name);
        try
        {
            return await GetAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (MlopsNotFoundException e) when (e is not MlopsEndpointNotFoundException)
        {
            await foreach (var p in ListAsync(null, cancellationToken).ConfigureAwait(false))
            {
                if (string.Equals(p.Name, name, StringComparison.Ordinal))
                {
                    return p;
                }
            }
            throw MlopsErrors.Create(MlopsErrorKind.NotFound, $"Airflow has no DAG with id or display name '{name}'.", Context, 404);
        }
    }

    /// <summary>Deletes the DAG's metadata and runs; the scheduler re-creates it while its file is still in the DAGs folder.</summary>
    /// <param name="pipelineId">The DAG id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public override Task DeleteAsync(string pipelineId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(pipelineId);
        return Api.DeleteDagAsync(pipelineId, cancellationToken);
    }

    /// <summary>
    /// Triggers a DAG run with <c>conf</c> = <see cref="TriggerOptions.Parameters"/>, the note and logical
    /// date. Without a run id the gateway generates one, so a repeated request meets 409 and the existing
    /// run is returned instead of a second one. <see cref="TriggerOptions.RunName"/> has no Airflow
    /// counterpart and is not sent; a version or experiment is not supported.
    /// </summary>
    /// <param name="pipelineId">The DAG id.</param>
    /// <param name="options">Parameters, run id, note, logical date.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public override async Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(pipelineId);
        options ??= new TriggerOptions();
        if (options.VersionId is not null || options.ExperimentId is not null)
        {
            throw new MlopsNotSupportedException(Context.Name, "Pipelines.Trigger",
                "Airflow triggers the DAG file's current definition and has no experiments: leave VersionId and ExperimentId unset.");
        }
        var dagRunId = options.RunId ?? GenerateRunId();
        try
        {
            var dto = await Api.TriggerAsync(pipelineId, dagRunId, options.Parameters, options.Note, options.LogicalDate, cancellationToken).ConfigureAwait(false);
            return AirflowMapping.ToRun(dto, Context.Name);
        }
        catch (MlopsConflictException conflict)
        {
            // The run id exists: a retried trigger whose first attempt reached the server. A conflict on
            // the logical date instead leaves no run under this id, so the conflict stands.
            try
            {
                var existing = await Api.GetDagRunAsync(pipelineId, dagRunId, cancellationToken).ConfigureAwait(false);
                return AirflowMapping.ToRun(existing, Context.Name);
            }
            catch (MlopsNotFoundException)
            {
                throw conflict;
            }
        }
    }

    private string GenerateRunId()
        => "mlops__" + Context.TimeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture)
           + "_" + Guid.NewGuid().ToString("N")[..8];

    /// <inheritdoc/>
    public override MlopsPageable<TaskRun> ListTaskRunsAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        var (dagId, dagRunId) = backend.ParseRunId(run.Id);
        var runId = AirflowMapping.RunId(dagId, dagRunId);
        return AirflowPaging.Create(Api, null,
            (offset, limit, ct) => Api.ListTaskInstancesAsync(dagId, dagRunId, offset, limit, ct),
            dto => AirflowMapping.ToTaskRun(dto, runId, Context.Name),
            cancellationToken);
    }

    /// <summary>
    /// Streams a task attempt's log line by line, following continuation tokens. With
    /// <see cref="TaskLogOptions.Follow"/> it tails the attempt until the task instance is terminal (or
    /// has moved on to a later try) and the log says end — a task that has not started says end too,
    /// so end alone is never enough.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="taskId">A <see cref="TaskRun.Id"/>: the task id, <c>/mapIndex</c> for a mapped instance.</param>
    /// <param name="options">Attempt (default: the latest try), follow and poll interval.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    public override async IAsyncEnumerable<string> ReadTaskLogAsync(RunRef run, string taskId, TaskLogOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(taskId);
        options ??= new TaskLogOptions();
        var (dagId, dagRunId) = backend.ParseRunId(run.Id);
        var (task, mapIndex) = AirflowMapping.ParseTaskRunId(taskId);
        var ti = await Api.GetTaskInstanceAsync(dagId, dagRunId, task, mapIndex, cancellationToken).ConfigureAwait(false);
        var latest = Math.Max(1, ti.TryNumber);
        var attempt = options.Attempt ?? latest;
        if (attempt < 1 || attempt > latest)
        {
            // Airflow answers 200 with an error text for a try that does not exist; say so plainly instead.
            throw MlopsErrors.Create(MlopsErrorKind.NotFound, $"Task '{taskId}' has no attempt {attempt}; its latest attempt is {latest}.", Context, 404);
        }
        var finished = IsFinished(ti, attempt);
        string? token = null;
        var delivered = 0;
        var pending = "";
        while (true)
        {
            var chunk = await Api.GetLogAsync(dagId, dagRunId, task, mapIndex, attempt, token, cancellationToken).ConfigureAwait(false);
            var text = TaskLogContent.ToText(chunk.Content);
            if (token is null)
            {
                // Read from the start (first read, or v2 after a null end-of-log token): skip what was already delivered.
                text = text.Length > delivered ? text[delivered..] : "";
            }
            delivered += text.Length;
            var buffer = pending + text;
            var lastNewline = buffer.LastIndexOf('\n');
            pending = lastNewline < 0 ? buffer : buffer[(lastNewline + 1)..];
            if (lastNewline >= 0)
            {
                foreach (var line in TaskLogContent.Lines(buffer[..(lastNewline + 1)]))
                {
                    yield return line;
                }
            }
            // A token that did not move means nothing more is there (a finished v1 log answers so).
            var end = TaskLogContent.IsEndOfLog(chunk.ContinuationToken) ?? (text.Length == 0 || chunk.ContinuationToken == token);
            token = chunk.ContinuationToken;
            if (!end && text.Length > 0)
            {
                continue;
            }
            if (!options.Follow || (finished && end))
            {
                break;
            }
            await Task.Delay(options.PollInterval, Context.TimeProvider, cancellationToken).ConfigureAwait(false);
            ti = await Api.GetTaskInstanceAsync(dagId, dagRunId, task, mapIndex, cancellationToken).ConfigureAwait(false);
            finished = IsFinished(ti, attempt);
        }
        if (pending.Length > 0)
        {
            yield return pending.TrimEnd('\r');
        }
    }

    private static bool IsFinished(TaskInstanceDto ti, int attempt) => attempt < ti.TryNumber || AirflowMapping.IsTerminal(ti);

    /// <inheritdoc/>
    public override Task<Pipeline> PauseAsync(string pipelineId, CancellationToken cancellationToken = default) => SetPausedAsync(pipelineId, true, cancellationToken);

    /// <inheritdoc/>
    public override Task<Pipeline> ResumeAsync(string pipelineId, CancellationToken cancellationToken = default) => SetPausedAsync(pipelineId, false, cancellationToken);

    private async Task<Pipeline> SetPausedAsync(string pipelineId, bool paused, CancellationToken cancellationToken)
    {
        MlopsGuard.NotEmpty(pipelineId);
        var dto = await Api.SetPausedAsync(pipelineId, paused, cancellationToken).ConfigureAwait(false);
        return AirflowMapping.ToPipeline(dto, Context.Name);
    }
}
