using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MlopsGateway.Airflow.Api;

// Response DTOs. What both dialects send with the same meaning lives in the base class; what differs
// (renamed, removed or added fields) lives in the V1/V2 subclass. Every DTO keeps unknown members in
// Extra so the replay test can prove no field is silently dropped. A DTO is also what Native is written
// from, so it must write back exactly what the server sent: timestamps stay the server's text (Airflow 2
// writes "+00:00", Airflow 3 "Z", with the fraction as sent) and are parsed only when mapped, and nothing
// computed is serialized. The one normalisation: properties sent as null are left out of Native.

/// <summary>A DAG as both dialects describe it.</summary>
internal abstract class DagDto
{
    public string DagId { get; set; } = "";
    public string? DagDisplayName { get; set; }
    public string? Description { get; set; }
    public bool? IsPaused { get; set; }
    public List<string>? Owners { get; set; }
    public List<DagTagDto>? Tags { get; set; }
    public string? Fileloc { get; set; }
    public string? FileToken { get; set; }
    public bool? HasImportErrors { get; set; }
    public bool? HasTaskConcurrencyLimits { get; set; }
    public string? LastParsedTime { get; set; }
    public string? LastExpired { get; set; }
    public int? MaxActiveRuns { get; set; }
    public int? MaxActiveTasks { get; set; }
    public int? MaxConsecutiveFailedDagRuns { get; set; }
    public string? NextDagrunDataIntervalStart { get; set; }
    public string? NextDagrunDataIntervalEnd { get; set; }
    public string? TimetableDescription { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The schedule as the dialect spells it (cron expression or timetable summary); derived, never serialized.</summary>
    public abstract string? ScheduleText();

    /// <summary>When the next scheduled run will be created, as the server wrote it; derived, never serialized.</summary>
    public abstract string? NextRunAfter();

    /// <summary>The DTO as JSON (for <c>Native</c>).</summary>
    public abstract JsonElement ToNative();
}

/// <summary>Airflow 2 <c>DAG</c>.</summary>
internal sealed class DagV1Dto : DagDto
{
    public bool? IsActive { get; set; }
    public bool? IsSubdag { get; set; }
    public string? RootDagId { get; set; }
    public JsonElement? ScheduleInterval { get; set; }
    public string? NextDagrun { get; set; }
    public string? NextDagrunCreateAfter { get; set; }
    public string? DefaultView { get; set; }
    public string? LastPickled { get; set; }
    public int? PickleId { get; set; }
    public bool? SchedulerLock { get; set; }

    public override string? ScheduleText()
        => ScheduleInterval is { ValueKind: JsonValueKind.Object } s
           && s.TryGetProperty("__type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "CronExpression"
           && s.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : TimetableDescription;

    public override string? NextRunAfter() => NextDagrunCreateAfter;

    public override JsonElement ToNative() => JsonSerializer.SerializeToElement(this, AirflowJsonContext.Default.DagV1Dto);
}

/// <summary>Airflow 3 <c>DAGResponse</c>.</summary>
internal sealed class DagV2Dto : DagDto
{
    public bool? IsStale { get; set; }
    public double? LastParseDuration { get; set; }
    public string? BundleName { get; set; }
    public string? BundleVersion { get; set; }
    public string? RelativeFileloc { get; set; }
    public string? TimetableSummary { get; set; }
    public bool? TimetablePartitioned { get; set; }
    public string? NextDagrunLogicalDate { get; set; }
    public string? NextDagrunRunAfter { get; set; }
    public List<string>? AllowedRunTypes { get; set; }

    public override string? ScheduleText() => TimetableSummary ?? TimetableDescription;

    public override string? NextRunAfter() => NextDagrunRunAfter;

    public override JsonElement ToNative() => JsonSerializer.SerializeToElement(this, AirflowJsonContext.Default.DagV2Dto);
}

/// <summary>A DAG tag (v1 sends only the name; v2 adds the DAG's id and display name).</summary>
internal sealed class DagTagDto
{
    public string Name { get; set; } = "";
    public string? DagId { get; set; }
    public string? DagDisplayName { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A page of DAGs.</summary>
internal sealed class DagPage<T> where T : DagDto
{
    public List<T> Dags { get; set; } = [];
    public int TotalEntries { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A DAG run as both dialects describe it.</summary>
internal abstract class DagRunDto
{
    public string DagRunId { get; set; } = "";
    public string DagId { get; set; } = "";
    public string? LogicalDate { get; set; }
    public string? StartDate { get; set; }
    public string? EndDate { get; set; }
    public string? DataIntervalStart { get; set; }
    public string? DataIntervalEnd { get; set; }
    public string? LastSchedulingDecision { get; set; }
    public string? RunType { get; set; }
    public string? State { get; set; }
    public JsonObject? Conf { get; set; }
    public string? Note { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The DTO as JSON (for <c>Native</c>).</summary>
    public abstract JsonElement ToNative();
}

/// <summary>Airflow 2 <c>DAGRun</c>: still carries the deprecated <c>execution_date</c> and <c>external_trigger</c>.</summary>
internal sealed class DagRunV1Dto : DagRunDto
{
    public string? ExecutionDate { get; set; }
    public bool? ExternalTrigger { get; set; }

    public override JsonElement ToNative() => JsonSerializer.SerializeToElement(this, AirflowJsonContext.Default.DagRunV1Dto);
}

/// <summary>Airflow 3 <c>DAGRunResponse</c>: <c>run_after</c>, provenance and DAG versions instead of the removed v1 fields.</summary>
internal sealed class DagRunV2Dto : DagRunDto
{
    public string? QueuedAt { get; set; }
    public double? Duration { get; set; }
    public string? RunAfter { get; set; }
    public string? TriggeredBy { get; set; }
    public string? TriggeringUserName { get; set; }
    public JsonElement? DagVersions { get; set; }
    public string? BundleVersion { get; set; }
    public string? DagDisplayName { get; set; }
    public string? PartitionKey { get; set; }

    public override JsonElement ToNative() => JsonSerializer.SerializeToElement(this, AirflowJsonContext.Default.DagRunV2Dto);
}

/// <summary>A page of DAG runs.</summary>
internal sealed class DagRunPage<T> where T : DagRunDto
{
    public List<T> DagRuns { get; set; } = [];
    public int TotalEntries { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A task instance as both dialects describe it.</summary>
internal abstract class TaskInstanceDto
{
    public string TaskId { get; set; } = "";
    public string? DagId { get; set; }
    public string? DagRunId { get; set; }
    public int MapIndex { get; set; } = -1;
    public string? StartDate { get; set; }
    public string? EndDate { get; set; }
    public double? Duration { get; set; }
    public string? State { get; set; }
    public int TryNumber { get; set; }
    public int? MaxTries { get; set; }
    public string? TaskDisplayName { get; set; }
    public string? Hostname { get; set; }
    public string? Unixname { get; set; }
    public string? Pool { get; set; }
    /// <summary>A number: Airflow 3 serializes task slot counts and weights as floats in places, so it is not read as an integer.</summary>
    public double? PoolSlots { get; set; }
    public string? Queue { get; set; }
    /// <summary>A number, for the same reason as <see cref="PoolSlots"/>.</summary>
    public double? PriorityWeight { get; set; }
    public string? Operator { get; set; }
    public string? QueuedWhen { get; set; }
    public int? Pid { get; set; }
    public string? Executor { get; set; }
    public string? ExecutorConfig { get; set; }
    public string? Note { get; set; }
    public string? RenderedMapIndex { get; set; }
    public JsonElement? RenderedFields { get; set; }
    public JsonElement? Trigger { get; set; }
    public JsonElement? TriggererJob { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The DTO as JSON (for <c>Native</c>).</summary>
    public abstract JsonElement ToNative();
}

/// <summary>Airflow 2 <c>TaskInstance</c>.</summary>
internal sealed class TaskInstanceV1Dto : TaskInstanceDto
{
    public string? ExecutionDate { get; set; }
    public JsonElement? SlaMiss { get; set; }

    public override JsonElement ToNative() => JsonSerializer.SerializeToElement(this, AirflowJsonContext.Default.TaskInstanceV1Dto);
}

/// <summary>Airflow 3 <c>TaskInstanceResponse</c>.</summary>
internal sealed class TaskInstanceV2Dto : TaskInstanceDto
{
    public string? Id { get; set; }
    public string? LogicalDate { get; set; }
    public string? RunAfter { get; set; }
    public string? DagDisplayName { get; set; }
    public string? OperatorName { get; set; }
    public string? ScheduledWhen { get; set; }
    public JsonElement? DagVersion { get; set; }

    public override JsonElement ToNative() => JsonSerializer.SerializeToElement(this, AirflowJsonContext.Default.TaskInstanceV2Dto);
}

/// <summary>A page of task instances.</summary>
internal sealed class TaskInstancePage<T> where T : TaskInstanceDto
{
    public List<T> TaskInstances { get; set; } = [];
    public int TotalEntries { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>
/// Airflow 2 <c>GET …/tries</c>. The v1 spec names the list <c>task_instances_history</c>, but Airflow 2.10's
/// implementation sends <c>task_instances</c>; whichever is present is read. Each entry is a
/// <c>TaskInstanceHistory</c>, a subset of the task instance's fields.
/// </summary>
internal sealed class TaskInstanceHistoryV1Page
{
    public List<TaskInstanceV1Dto>? TaskInstances { get; set; }
    public List<TaskInstanceV1Dto>? TaskInstancesHistory { get; set; }
    public int TotalEntries { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The tries, from whichever member the server sent.</summary>
    [JsonIgnore]
    public IReadOnlyList<TaskInstanceV1Dto> Items => TaskInstances ?? TaskInstancesHistory ?? [];
}

/// <summary>
/// A chunk of a task log. v1 sends <c>content</c> as one string holding a Python repr of
/// <c>[(host, text)]</c>; v2 sends a list of structured messages or strings. Kept as JSON and decoded
/// by <see cref="TaskLogContent"/>.
/// </summary>
internal sealed class TaskLogDto
{
    public JsonElement? Content { get; set; }
    public string? ContinuationToken { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary><c>GET version</c> (both dialects).</summary>
internal sealed class VersionDto
{
    public string? Version { get; set; }
    public string? GitVersion { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The decoded payload of a log continuation token (itsdangerous-signed JSON).</summary>
internal sealed class LogTokenPayload
{
    public bool? EndOfLog { get; set; }
    public long? LogPos { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

// Request bodies. Null members are omitted except where a dialect requires the key (v2 logical_date).

/// <summary>v1 trigger body (<c>DAGRun</c>); null members are left out.</summary>
internal sealed class TriggerV1Body
{
    public string? DagRunId { get; set; }
    public DateTimeOffset? LogicalDate { get; set; }
    public JsonObject? Conf { get; set; }
    public string? Note { get; set; }
}

/// <summary>v2 trigger body (<c>TriggerDAGRunPostBody</c>, no additional properties): <c>logical_date</c> is required and sent as null when absent.</summary>
internal sealed class TriggerV2Body
{
    public string? DagRunId { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? LogicalDate { get; set; }

    public JsonObject? Conf { get; set; }
    public string? Note { get; set; }
}

/// <summary>Pause or unpause a DAG (both dialects).</summary>
internal sealed class DagPatchBody
{
    public bool IsPaused { get; set; }
}

/// <summary>Set a DAG run's state (both dialects).</summary>
internal sealed class DagRunStateBody
{
    public string State { get; set; } = "";
}

/// <summary>Clear a DAG run; <c>dry_run</c> is always sent because it defaults to true on the server.</summary>
internal sealed class DagRunClearBody
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool DryRun { get; set; }
}
