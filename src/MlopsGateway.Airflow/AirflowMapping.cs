using System.Text.Json;
using MlopsGateway.Airflow.Api;
using MlopsGateway.Http;

namespace MlopsGateway.Airflow;

/// <summary>The one mapping from either dialect's DTOs to the backend-neutral model (DESIGN.md §2).</summary>
internal static class AirflowMapping
{
    /// <summary>
    /// The opaque run id: <c>dagId/dagRunId</c> with each part percent-encoded, so run ids holding <c>:</c> or
    /// <c>+</c> round-trip and the one <c>/</c> always separates the parts (a part holding <c>/</c> parses back, but the
    /// core refuses to send it as a path segment).
    /// </summary>
    public static string RunId(string dagId, string dagRunId) => UrlPath.Segment(dagId) + "/" + UrlPath.Segment(dagRunId);

    /// <summary>Splits an id made by <see cref="RunId"/> back into the DAG id and DAG run id; false when it has another shape.</summary>
    public static bool TryParseRunId(string? runId, out string dagId, out string dagRunId)
    {
        dagId = dagRunId = "";
        var slash = runId is null ? -1 : runId.IndexOf('/', StringComparison.Ordinal);
        if (runId is null || slash <= 0 || slash == runId.Length - 1 || runId.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }
        dagId = Uri.UnescapeDataString(runId[..slash]);
        dagRunId = Uri.UnescapeDataString(runId[(slash + 1)..]);
        return true;
    }

    /// <summary>The task-run id: the task id, with <c>/mapIndex</c> for a mapped task instance.</summary>
    public static string TaskRunId(string taskId, int mapIndex) => mapIndex < 0 ? taskId : $"{taskId}/{mapIndex}";

    /// <summary>Splits a task-run id made by <see cref="TaskRunId"/>.</summary>
    public static (string TaskId, int MapIndex) ParseTaskRunId(string taskRunId)
    {
        MlopsGuard.NotEmpty(taskRunId);
        var slash = taskRunId.LastIndexOf('/');
        return slash > 0 && int.TryParse(taskRunId.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            ? (taskRunId[..slash], index)
            : (taskRunId, -1);
    }

    /// <summary>DAG run state → normalized status (a cancelled run was set to <c>failed</c>, so it reads Failed).</summary>
    public static RunStatus RunState(string? state) => state switch
    {
        "queued" => RunStatus.Queued,
        "running" => RunStatus.Running,
        "success" => RunStatus.Succeeded,
        "failed" => RunStatus.Failed,
        _ => RunStatus.Unknown,
    };

    /// <summary>The DAG run state a normalized status filter asks for; null when Airflow has no such run state.</summary>
    public static string? RunStateFilter(RunStatus status) => status switch
    {
        RunStatus.Queued => "queued",
        RunStatus.Running => "running",
        RunStatus.Succeeded => "success",
        RunStatus.Failed => "failed",
        _ => null,
    };

    /// <summary>Task instance state → normalized status; a task without a state yet is Queued.</summary>
    public static RunStatus TaskState(string? state) => state switch
    {
        null or "none" or "scheduled" or "queued" => RunStatus.Queued,
        "running" or "up_for_retry" or "up_for_reschedule" or "deferred" or "restarting" => RunStatus.Running,
        "success" => RunStatus.Succeeded,
        "failed" or "upstream_failed" => RunStatus.Failed,
        "skipped" or "removed" => RunStatus.Skipped,
        _ => RunStatus.Unknown,
    };

    /// <summary>Maps a DAG.</summary>
    public static Pipeline ToPipeline(DagDto dag, string backend) => new()
    {
        Backend = backend,
        Id = dag.DagId,
        Name = string.IsNullOrEmpty(dag.DagDisplayName) ? dag.DagId : dag.DagDisplayName,
        Description = dag.Description,
        IsPaused = dag.IsPaused,
        Schedule = dag.ScheduleText(),
        NextRunAt = Time(dag.NextRunAfter()),
        Owners = dag.Owners ?? [],
        Tags = (dag.Tags ?? []).Select(t => t.Name).Distinct(StringComparer.Ordinal).ToDictionary(n => n, _ => "", StringComparer.Ordinal),
        Native = dag.ToNative(),
    };

    /// <summary>Maps a DAG run; <c>conf</c> becomes Params through <see cref="ParamFormatter"/>, the original stays in Native.</summary>
    public static Run ToRun(DagRunDto run, string backend) => new()
    {
        Backend = backend,
        Id = RunId(run.DagId, run.DagRunId),
        Name = run.DagRunId,
        Status = RunState(run.State),
        RawStatus = run.State,
        StartTime = Time(run.StartDate),
        EndTime = Time(run.EndDate),
        PipelineId = run.DagId,
        Params = ParamFormatter.FormatAll(run.Conf),
        Native = run.ToNative(),
    };

    /// <summary>Maps a task instance.</summary>
    public static TaskRun ToTaskRun(TaskInstanceDto ti, string runId, string backend) => new()
    {
        Backend = backend,
        RunId = runId,
        Id = TaskRunId(ti.TaskId, ti.MapIndex),
        Name = string.IsNullOrEmpty(ti.TaskDisplayName) ? ti.TaskId : ti.TaskDisplayName,
        Status = TaskState(ti.State),
        RawStatus = ti.State,
        Attempt = ti.TryNumber,
        StartTime = Time(ti.StartDate),
        EndTime = Time(ti.EndDate),
        Native = ti.ToNative(),
    };

    /// <summary>
    /// Maps a tries listing to one task run per attempt, oldest first. Airflow 2 lists the current instance
    /// after its history even while it is <c>up_for_retry</c> with the same try number as the failed attempt
    /// it recorded; the recorded attempt (listed first) is kept.
    /// </summary>
    public static IReadOnlyList<TaskRun> ToTaskTries(IEnumerable<TaskInstanceDto> tries, string runId, string backend)
        => tries.DistinctBy(t => t.TryNumber).OrderBy(t => t.TryNumber).Select(t => ToTaskRun(t, runId, backend)).ToList();

    /// <summary>Whether a task instance will not run again without a clear.</summary>
    public static bool IsTerminal(TaskInstanceDto ti) => TaskState(ti.State).IsTerminal();

    /// <summary>A timestamp as Airflow writes it (ISO 8601 with <c>+00:00</c> or <c>Z</c>), or null for null or unreadable text.</summary>
    public static DateTimeOffset? Time(string? text)
        => DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var value) ? value : null;

    /// <summary>Reads a JSON string property, or null.</summary>
    public static string? GetString(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
