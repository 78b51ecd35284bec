using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using MlopsGateway.Http;
using MlopsGateway.Metaflow.Api;

namespace MlopsGateway.Metaflow;

/// <summary>
/// Metaflow-specific access to the metadata service, for what the neutral model does not hold: steps,
/// tasks, metadata rows and artifact records (name, sha, datastore location, type) of a run, and the
/// writes a caller needs to register work done elsewhere (runs, steps, tasks, metadata, artifact
/// records, heartbeats). Get it with <c>backend.GetService&lt;MetaflowMetadataClient&gt;()</c>.
/// Run ids are the gateway's <c>Flow/run</c>. Writes are checked before sending (lengths over 255,
/// numeric caller ids) and after (the service answers 200 even when it dropped rows: the returned count
/// is compared with what was sent). Lists stream; a list under a missing parent is
/// <see cref="MlopsNotFoundException"/> (the service itself answers an empty list).
/// </summary>
public sealed class MetaflowMetadataClient
{
    private readonly MetaflowBackend _backend;

    internal MetaflowMetadataClient(MetaflowBackend backend) => _backend = backend;

    private static readonly MetaflowJsonContext Json = MetaflowJsonContext.Default;

    private IMetaflowRunsApi RunsApi => _backend.RunsApi;

    private IMetaflowTasksApi TasksApi => _backend.TasksApi;

    private IMetaflowRecordsApi RecordsApi => _backend.RecordsApi;

    private MetaflowLists Lists => _backend.Lists;

    /// <summary>Registers a flow, or returns it when it is already registered.</summary>
    /// <param name="flow">The flow name (at most 255 characters).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<Pipeline> RegisterFlowAsync(string flow, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.RegisterFlow", () => RegisterFlowCoreAsync(flow, cancellationToken), new OperationSubject(PipelineId: flow));

    private async Task<Pipeline> RegisterFlowCoreAsync(string flow, CancellationToken cancellationToken = default)
    {
        MetaflowValidation.Name(flow, "flow name");
        try
        {
            var created = await RunsApi.CreateFlowAsync(flow, new CreateObjectRequest { UserName = _backend.UserName }, cancellationToken).ConfigureAwait(false);
            return MetaflowMapper.ToPipeline(created, _backend.Name);
        }
        catch (MlopsConflictException)
        {
            return MetaflowMapper.ToPipeline(await RunsApi.GetFlowAsync(flow, cancellationToken).ConfigureAwait(false), _backend.Name);
        }
    }

    /// <summary>
    /// Registers a run of <paramref name="flow"/> (registering the flow when missing) under the caller's
    /// non-numeric run id, or a generated one; registering an id twice returns the existing run. The run
    /// heartbeats every 10 s until ended with <see cref="IRunClient.EndAsync"/>.
    /// </summary>
    /// <param name="flow">The flow name.</param>
    /// <param name="options">Run id and plain tags (values must be empty).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<Run> RegisterRunAsync(string flow, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.RegisterRun", () => RegisterRunCoreAsync(flow, options, cancellationToken), new OperationSubject(PipelineId: flow));

    private async Task<Run> RegisterRunCoreAsync(string flow, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        await RegisterFlowAsync(flow, cancellationToken).ConfigureAwait(false);
        return await _backend.Runs.CreateRunAsync(flow, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers a step of a run, or returns it when it exists.</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MetaflowStep> RegisterStepAsync(string runId, string step, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.RegisterStep", () => RegisterStepCoreAsync(runId, step, cancellationToken), new OperationSubject(RunId: runId));

    private async Task<MetaflowStep> RegisterStepCoreAsync(string runId, string step, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        MetaflowValidation.Name(step, "step name");
        try
        {
            return MetaflowMapper.ToStep(await TasksApi.CreateStepAsync(run.Flow, run.Run, step, new CreateObjectRequest { UserName = _backend.UserName }, cancellationToken)
                .ConfigureAwait(false));
        }
        catch (MlopsConflictException)
        {
            return MetaflowMapper.ToStep(await TasksApi.GetStepAsync(run.Flow, run.Run, step, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Lists the steps of a run.</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public MlopsPageable<MetaflowStep> ListStepsAsync(string runId, CancellationToken cancellationToken = default)
        => _backend.Operations.List("Metadata.ListSteps", () => ListStepsCoreAsync(runId, cancellationToken), new OperationSubject(RunId: runId));

    private MlopsPageable<MetaflowStep> ListStepsCoreAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        return Pageable(ct => ParentChecked(Lists.ReadAsync(c => TasksApi.ListStepsAsync(run.Flow, run.Run, c), Json.StepDto, ct),
            c => RunsApi.GetRunAsync(run.Flow, run.Run, c), ct), MetaflowMapper.ToStep, cancellationToken);
    }

    /// <summary>
    /// Registers a task of a step. With <paramref name="taskName"/> (non-numeric) a second registration
    /// returns the existing task; without one the service assigns the next global task number.
    /// </summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step (register it first).</param>
    /// <param name="taskName">An optional non-numeric task name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MetaflowTask> RegisterTaskAsync(string runId, string step, string? taskName = null, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.RegisterTask", () => RegisterTaskCoreAsync(runId, step, taskName, cancellationToken), new OperationSubject(RunId: runId));

    private async Task<MetaflowTask> RegisterTaskCoreAsync(string runId, string step, string? taskName = null, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        MetaflowValidation.Name(step, "step name");
        if (taskName is not null)
        {
            MetaflowValidation.TaskName(taskName);
        }
        var body = new CreateObjectRequest { UserName = _backend.UserName, TaskId = taskName, SystemTags = [$"user:{_backend.UserName}", "runtime:mlopsgateway"] };
        try
        {
            return MetaflowMapper.ToTask(await TasksApi.CreateTaskAsync(run.Flow, run.Run, step, body, cancellationToken).ConfigureAwait(false));
        }
        catch (MlopsConflictException) when (taskName is not null)
        {
            return MetaflowMapper.ToTask(await TasksApi.GetTaskAsync(run.Flow, run.Run, step, taskName, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Gets one task.</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step name.</param>
    /// <param name="taskId">The task number or name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MetaflowTask> GetTaskAsync(string runId, string step, string taskId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.GetTask", () => GetTaskCoreAsync(runId, step, taskId, cancellationToken), new OperationSubject(RunId: runId));

    private async Task<MetaflowTask> GetTaskCoreAsync(string runId, string step, string taskId, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        return MetaflowMapper.ToTask(await TasksApi.GetTaskAsync(run.Flow, run.Run, step, taskId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Lists the tasks of a step.</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step name.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public MlopsPageable<MetaflowTask> ListTasksAsync(string runId, string step, CancellationToken cancellationToken = default)
        => _backend.Operations.List("Metadata.ListTasks", () => ListTasksCoreAsync(runId, step, cancellationToken), new OperationSubject(RunId: runId));

    private MlopsPageable<MetaflowTask> ListTasksCoreAsync(string runId, string step, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        return Pageable(ct => ParentChecked(Lists.ReadAsync(c => TasksApi.ListTasksAsync(run.Flow, run.Run, step, c), Json.TaskDto, ct),
            c => TasksApi.GetStepAsync(run.Flow, run.Run, step, c), ct), MetaflowMapper.ToTask, cancellationToken);
    }

    /// <summary>
    /// Paths (<c>Flow/run/step/task</c>) of the step's tasks having a metadata field whose value matches a
    /// POSIX regular expression — for example <c>attempt_ok</c> / <c>^True$</c>. Needs service 2.5.0; the
    /// pattern is checked before sending (the service answers an invalid one with a 500).
    /// </summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step name.</param>
    /// <param name="fieldName">The metadata field.</param>
    /// <param name="pattern">The value pattern.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<string>> FilterTasksAsync(string runId, string step, string fieldName, string pattern, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.FilterTasks", () => FilterTasksCoreAsync(runId, step, fieldName, pattern, cancellationToken), new OperationSubject(RunId: runId));

    private async Task<IReadOnlyList<string>> FilterTasksCoreAsync(string runId, string step, string fieldName, string pattern, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        MlopsGuard.NotEmpty(fieldName);
        ArgumentNullException.ThrowIfNull(pattern);
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw MlopsGuard.Invalid($"'{pattern}' is not a valid regular expression: {ex.Message}");
        }
        await _backend.RequireVersionAsync(MetaflowBackend.TaskFilteringVersion, "Metadata.FilterTasks", "task filtering", cancellationToken).ConfigureAwait(false);
        var result = new List<string>();
        var paths = Lists.ReadAsync(c => TasksApi.FilterTasksAsync(run.Flow, run.Run, step, fieldName, pattern, c), Json.String, cancellationToken);
        await foreach (var path in paths.ConfigureAwait(false))
        {
            result.Add(path);
        }
        return result;
    }

    /// <summary>Beats a run's heartbeat; false when the service updated nothing (a beat under 10 s ago, or no such run).</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<bool> HeartbeatRunAsync(string runId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.HeartbeatRun", () => HeartbeatRunCoreAsync(runId, cancellationToken), new OperationSubject(RunId: runId));

    private Task<bool> HeartbeatRunCoreAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        return RunHeartbeats.UpdatedAsync(RunsApi.HeartbeatRunAsync(run.Flow, run.Run, EmptyBody.Instance, cancellationToken));
    }

    /// <summary>Beats a task's heartbeat (the service bumps the run's too); false when nothing was updated.</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step name.</param>
    /// <param name="taskId">The task number or name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<bool> HeartbeatTaskAsync(string runId, string step, string taskId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.HeartbeatTask", () => HeartbeatTaskCoreAsync(runId, step, taskId, cancellationToken), new OperationSubject(RunId: runId));

    private Task<bool> HeartbeatTaskCoreAsync(string runId, string step, string taskId, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        return RunHeartbeats.UpdatedAsync(TasksApi.HeartbeatTaskAsync(run.Flow, run.Run, step, taskId, EmptyBody.Instance, cancellationToken));
    }

    /// <summary>Metadata rows of one task, every attempt.</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step name.</param>
    /// <param name="taskId">The task number or name.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public MlopsPageable<MetaflowMetadataEntry> ListTaskMetadataAsync(string runId, string step, string taskId, CancellationToken cancellationToken = default)
        => _backend.Operations.List("Metadata.ListTaskMetadata", () => ListTaskMetadataCoreAsync(runId, step, taskId, cancellationToken), new OperationSubject(RunId: runId));

    private MlopsPageable<MetaflowMetadataEntry> ListTaskMetadataCoreAsync(string runId, string step, string taskId, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        return Pageable(ct => ParentChecked(Lists.ReadAsync(c => RecordsApi.ListTaskMetadataAsync(run.Flow, run.Run, step, taskId, c), Json.MetadataDto, ct),
            c => TasksApi.GetTaskAsync(run.Flow, run.Run, step, taskId, c), ct), MetaflowMapper.ToMetadata, cancellationToken);
    }

    /// <summary>Metadata rows of every task of a run.</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public MlopsPageable<MetaflowMetadataEntry> ListRunMetadataAsync(string runId, CancellationToken cancellationToken = default)
        => _backend.Operations.List("Metadata.ListRunMetadata", () => ListRunMetadataCoreAsync(runId, cancellationToken), new OperationSubject(RunId: runId));

    private MlopsPageable<MetaflowMetadataEntry> ListRunMetadataCoreAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        return Pageable(ct => ParentChecked(Lists.ReadAsync(c => RecordsApi.ListRunMetadataAsync(run.Flow, run.Run, c), Json.MetadataDto, ct),
            c => RunsApi.GetRunAsync(run.Flow, run.Run, c), ct), MetaflowMapper.ToMetadata, cancellationToken);
    }

    /// <summary>
    /// Writes metadata rows to a task. Field names and types over 255 characters are rejected before
    /// sending; when the service stores fewer rows than sent, this throws rather than losing them silently.
    /// Never retried once sent (rows have no natural key, a retry would duplicate them).
    /// </summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step name.</param>
    /// <param name="taskId">The task number or name.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task AddMetadataAsync(string runId, string step, string taskId, IReadOnlyList<MetaflowMetadataWrite> rows, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.AddMetadata", () => AddMetadataCoreAsync(runId, step, taskId, rows, cancellationToken), new OperationSubject(RunId: runId));

    private async Task AddMetadataCoreAsync(string runId, string step, string taskId, IReadOnlyList<MetaflowMetadataWrite> rows, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        ArgumentNullException.ThrowIfNull(rows);
        var body = new List<MetadataWriteDto>(rows.Count);
        foreach (var row in rows)
        {
            ArgumentNullException.ThrowIfNull(row);
            MetaflowValidation.Name(row.FieldName, "metadata field name");
            MetaflowValidation.Length(row.Type, $"metadata type of '{row.FieldName}'");
            body.Add(new MetadataWriteDto
            {
                FieldName = row.FieldName,
                Value = row.Value ?? "",
                Type = row.Type ?? row.FieldName,
                UserName = _backend.UserName,
                Tags = row.Attempt is { } a ? [$"attempt_id:{a}"] : [],
            });
        }
        if (body.Count == 0)
        {
            return;
        }
        var created = await RecordsApi.PostMetadataAsync(run.Flow, run.Run, step, taskId, body, cancellationToken).ConfigureAwait(false);
        CheckCount(created.MetadataCreated, body.Count, "metadata rows", $"{runId}/{step}/{taskId}");
    }

    /// <summary>Artifact records of a run (latest attempt per task), a step, or a task (its latest attempt, or <paramref name="attempt"/>).</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">Only this step.</param>
    /// <param name="taskId">Only this task (requires <paramref name="step"/>).</param>
    /// <param name="attempt">Only this attempt (requires <paramref name="taskId"/>).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public MlopsPageable<MetaflowArtifact> ListArtifactsAsync(string runId, string? step = null, string? taskId = null, int? attempt = null, CancellationToken cancellationToken = default)
        => _backend.Operations.List("Metadata.ListArtifacts", () => ListArtifactsCoreAsync(runId, step, taskId, attempt, cancellationToken), new OperationSubject(RunId: runId));

    private MlopsPageable<MetaflowArtifact> ListArtifactsCoreAsync(string runId, string? step = null, string? taskId = null, int? attempt = null, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        if ((taskId is not null && step is null) || (attempt is not null && taskId is null))
        {
            throw MlopsGuard.Invalid("A task needs its step, and an attempt needs its task.");
        }
        return Pageable(ct => (step, taskId, attempt) switch
        {
            (null, _, _) => ParentChecked(Lists.ReadAsync(c => RecordsApi.ListRunArtifactsAsync(run.Flow, run.Run, c), Json.ArtifactDto, ct),
                c => RunsApi.GetRunAsync(run.Flow, run.Run, c), ct),
            (_, null, _) => ParentChecked(Lists.ReadAsync(c => RecordsApi.ListStepArtifactsAsync(run.Flow, run.Run, step, c), Json.ArtifactDto, ct),
                c => TasksApi.GetStepAsync(run.Flow, run.Run, step, c), ct),
            (_, _, null) => ParentChecked(Lists.ReadAsync(c => RecordsApi.ListTaskArtifactsAsync(run.Flow, run.Run, step, taskId, c), Json.ArtifactDto, ct),
                c => TasksApi.GetTaskAsync(run.Flow, run.Run, step, taskId, c), ct),
            (_, _, { } at) => ParentChecked(Lists.ReadAsync(c => RecordsApi.ListTaskAttemptArtifactsAsync(run.Flow, run.Run, step, taskId, at, c), Json.ArtifactDto, ct),
                c => TasksApi.GetTaskAsync(run.Flow, run.Run, step, taskId, c), ct),
        }, MetaflowMapper.ToArtifact, cancellationToken);
    }

    /// <summary>One artifact record of a task: from its latest attempt (NotFound when only an older attempt has it), or from <paramref name="attempt"/>.</summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step name.</param>
    /// <param name="taskId">The task number or name.</param>
    /// <param name="name">The artifact name.</param>
    /// <param name="attempt">The attempt, or null for the latest.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MetaflowArtifact> GetArtifactAsync(string runId, string step, string taskId, string name, int? attempt = null, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.GetArtifact", () => GetArtifactCoreAsync(runId, step, taskId, name, attempt, cancellationToken), new OperationSubject(RunId: runId));

    private async Task<MetaflowArtifact> GetArtifactCoreAsync(string runId, string step, string taskId, string name, int? attempt = null, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        var artifact = attempt is { } at
            ? RecordsApi.GetAttemptArtifactAsync(run.Flow, run.Run, step, taskId, name, at, cancellationToken)
            : RecordsApi.GetArtifactAsync(run.Flow, run.Run, step, taskId, name, cancellationToken);
        return MetaflowMapper.ToArtifact(await artifact.ConfigureAwait(false));
    }

    /// <summary>
    /// Registers artifact records of a task. Names, types, datastore types and locations over 255
    /// characters are rejected before sending; a record the service did not store (an existing
    /// attempt/name pair) makes this throw rather than pass silently. Never retried once sent.
    /// </summary>
    /// <param name="runId">The run, <c>Flow/run</c>.</param>
    /// <param name="step">The step name.</param>
    /// <param name="taskId">The task number or name.</param>
    /// <param name="artifacts">The records.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task AddArtifactsAsync(string runId, string step, string taskId, IReadOnlyList<MetaflowArtifactWrite> artifacts, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Metadata.AddArtifacts", () => AddArtifactsCoreAsync(runId, step, taskId, artifacts, cancellationToken), new OperationSubject(RunId: runId));

    private async Task AddArtifactsCoreAsync(string runId, string step, string taskId, IReadOnlyList<MetaflowArtifactWrite> artifacts, CancellationToken cancellationToken = default)
    {
        var run = MetaflowRunRef.Parse(runId, _backend.Context);
        ArgumentNullException.ThrowIfNull(artifacts);
        var body = new List<ArtifactWriteDto>(artifacts.Count);
        var keys = new HashSet<(int, string)>();
        foreach (var a in artifacts)
        {
            ArgumentNullException.ThrowIfNull(a);
            MetaflowValidation.Name(a.Name, "artifact name");
            MetaflowValidation.Length(a.Location, $"location of artifact '{a.Name}'");
            MetaflowValidation.Length(a.Sha, $"sha of artifact '{a.Name}'");
            MetaflowValidation.Length(a.DatastoreType, $"datastore type of artifact '{a.Name}'");
            MetaflowValidation.Length(a.Type, $"type of artifact '{a.Name}'");
            MetaflowValidation.Length(a.ContentType, $"content type of artifact '{a.Name}'");
            if (!keys.Add((a.Attempt, a.Name)))
            {
                throw MlopsGuard.Invalid($"Artifact '{a.Name}' appears twice for attempt {a.Attempt}; the service would store only the first.");
            }
            body.Add(new ArtifactWriteDto
            {
                Name = a.Name,
                Location = a.Location,
                Sha = a.Sha,
                DsType = a.DatastoreType,
                Type = a.Type,
                ContentType = a.ContentType,
                AttemptId = a.Attempt,
                UserName = _backend.UserName,
            });
        }
        if (body.Count == 0)
        {
            return;
        }
        var created = await RecordsApi.PostArtifactsAsync(run.Flow, run.Run, step, taskId, body, cancellationToken).ConfigureAwait(false);
        CheckCount(created.ArtifactsCreated, body.Count, "artifact records (an attempt/name pair may already exist)", $"{runId}/{step}/{taskId}");
    }

    private void CheckCount(int stored, int sent, string what, string where)
    {
        if (stored != sent)
        {
            throw MlopsErrors.Create(MlopsErrorKind.Other,
                $"The Metaflow service stored {stored} of {sent} {what} for task '{where}' and answered 200; the rest were dropped server-side.",
                _backend.Context, 200);
        }
    }

    private static StreamingPageable<TOut> Pageable<TIn, TOut>(Func<CancellationToken, IAsyncEnumerable<TIn>> source, Func<TIn, TOut> map, CancellationToken cancellationToken)
        => new(ct => MetaflowRunClient.Select(source(ct), map, ct), 100, cancellationToken);

    /// <summary>The service answers <c>200 []</c> under a missing parent; an empty listing reads the parent so that case is NotFound.</summary>
    private static async IAsyncEnumerable<T> ParentChecked<T, TParent>(IAsyncEnumerable<T> items, Func<CancellationToken, Task<TParent>> readParent, [EnumeratorCancellation] CancellationToken ct)
    {
        var any = false;
        await foreach (var item in items.WithCancellation(ct).ConfigureAwait(false))
        {
            any = true;
            yield return item;
        }
        if (!any)
        {
            await readParent(ct).ConfigureAwait(false);
        }
    }
}
