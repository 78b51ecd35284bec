using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MlopsGateway.Kubeflow.Api;

// Kubeflow Pipelines v2beta1 wire types (snake_case proto names). The server omits zero values, so every
// member is optional; int64 fields travel as JSON strings and are kept as strings here (ids such as
// execution_id are identifiers, and the few numbers the gateway needs are parsed where used, see Int64);
// enums stay strings so a newer server's values survive. [JsonExtensionData] keeps whatever a newer server
// adds, so nothing read is lost.

/// <summary>Every KFP message: whatever a newer server adds is kept, so the replay of a response loses nothing.</summary>
internal abstract record KfpMessage
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A list reply: <c>total_size</c> (absent when 0) and the opaque <c>next_page_token</c> (absent or empty on the last page).</summary>
internal abstract record KfpPage : KfpMessage
{
    public int? TotalSize { get; init; }
    public string? NextPageToken { get; init; }
}

/// <summary>A <c>google.rpc.Status</c>: the gRPC error body, also embedded as <c>error</c> in 200 replies.</summary>
internal sealed record KfpStatus : KfpMessage
{
    public int? Code { get; init; }
    public string? Message { get; init; }
    public List<JsonElement>? Details { get; init; }
}

/// <summary>The v1 error shape of the plain-HTTP handlers (upload, upload_version, read-artifact).</summary>
internal sealed record KfpHttpError : KfpMessage
{
    public string? ErrorMessage { get; init; }
    public string? ErrorDetails { get; init; }
}

/// <summary><c>GET /healthz</c>; <c>commit_sha</c>/<c>tag_name</c> are served although the swagger omits them.</summary>
internal sealed record KfpHealthz : KfpMessage
{
    public bool? MultiUser { get; init; }
    public string? PipelineStore { get; init; }
    public string? CommitSha { get; init; }
    public string? TagName { get; init; }
}

internal sealed record KfpPipeline : KfpMessage
{
    public string? PipelineId { get; init; }
    public string? DisplayName { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? CreatedAt { get; init; }
    public string? Namespace { get; init; }
    public KfpStatus? Error { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
}

internal sealed record KfpUrl : KfpMessage
{
    public string? PipelineUrl { get; init; }
}

internal sealed record KfpPipelineVersion : KfpMessage
{
    public string? PipelineId { get; init; }
    public string? PipelineVersionId { get; init; }
    public string? DisplayName { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? CreatedAt { get; init; }
    public KfpUrl? PackageUrl { get; init; }
    public string? CodeSourceUrl { get; init; }
    public JsonElement? PipelineSpec { get; init; }
    public KfpStatus? Error { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
}

internal sealed record KfpListPipelinesResponse : KfpPage
{
    public List<KfpPipeline>? Pipelines { get; init; }
}

internal sealed record KfpListPipelineVersionsResponse : KfpPage
{
    public List<KfpPipelineVersion>? PipelineVersions { get; init; }
}

internal sealed record KfpExperiment : KfpMessage
{
    public string? ExperimentId { get; init; }
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
    public string? CreatedAt { get; init; }
    public string? Namespace { get; init; }
    public string? StorageState { get; init; }
    public string? LastRunCreatedAt { get; init; }
}

internal sealed record KfpListExperimentsResponse : KfpPage
{
    public List<KfpExperiment>? Experiments { get; init; }
}

internal sealed record KfpPipelineVersionReference : KfpMessage
{
    public string? PipelineId { get; init; }
    public string? PipelineVersionId { get; init; }
}

internal sealed record KfpRuntimeConfig : KfpMessage
{
    /// <summary>Parameter name to any JSON value (a protobuf Struct).</summary>
    public JsonObject? Parameters { get; init; }
    public string? PipelineRoot { get; init; }
}

internal sealed record KfpRuntimeStatus : KfpMessage
{
    public string? UpdateTime { get; init; }
    public string? State { get; init; }
    public KfpStatus? Error { get; init; }
}

internal sealed record KfpArtifactList : KfpMessage
{
    public List<string>? ArtifactIds { get; init; }
}

internal sealed record KfpChildTask : KfpMessage
{
    public string? TaskId { get; init; }
    public string? PodName { get; init; }
}

internal sealed record KfpExecutorDetail : KfpMessage
{
    public string? MainJob { get; init; }
    public string? PreCachingCheckJob { get; init; }
    public List<string>? FailedMainJobs { get; init; }
    public List<string>? FailedPreCachingCheckJobs { get; init; }
}

internal sealed record KfpTaskDetail : KfpMessage
{
    public string? RunId { get; init; }
    public string? TaskId { get; init; }
    public string? DisplayName { get; init; }
    public string? CreateTime { get; init; }
    public string? StartTime { get; init; }
    public string? EndTime { get; init; }
    public KfpExecutorDetail? ExecutorDetail { get; init; }
    public string? State { get; init; }
    public string? ExecutionId { get; init; }
    public KfpStatus? Error { get; init; }
    public Dictionary<string, KfpArtifactList>? Inputs { get; init; }
    public Dictionary<string, KfpArtifactList>? Outputs { get; init; }
    public string? ParentTaskId { get; init; }
    public List<KfpRuntimeStatus>? StateHistory { get; init; }
    public string? PodName { get; init; }
    public List<KfpChildTask>? ChildTasks { get; init; }
}

internal sealed record KfpRunDetails : KfpMessage
{
    public string? PipelineContextId { get; init; }
    public string? PipelineRunContextId { get; init; }
    public List<KfpTaskDetail>? TaskDetails { get; init; }
}

/// <summary>A run, as read and (with only the writable members set) as sent to <c>POST /runs</c>.</summary>
internal sealed record KfpRun : KfpMessage
{
    public string? ExperimentId { get; init; }
    public string? RunId { get; init; }
    public string? DisplayName { get; init; }
    public string? StorageState { get; init; }
    public string? Description { get; init; }
    public string? PipelineVersionId { get; init; }
    public JsonElement? PipelineSpec { get; init; }
    public KfpPipelineVersionReference? PipelineVersionReference { get; init; }
    public KfpRuntimeConfig? RuntimeConfig { get; init; }
    public string? ServiceAccount { get; init; }
    public string? CreatedAt { get; init; }
    public string? ScheduledAt { get; init; }
    public string? FinishedAt { get; init; }
    public string? State { get; init; }
    public KfpStatus? Error { get; init; }
    public KfpRunDetails? RunDetails { get; init; }
    public string? RecurringRunId { get; init; }
    public List<KfpRuntimeStatus>? StateHistory { get; init; }
    public JsonElement? PluginsInput { get; init; }
    public JsonElement? PluginsOutput { get; init; }
}

internal sealed record KfpListRunsResponse : KfpPage
{
    public List<KfpRun>? Runs { get; init; }
}

internal sealed record KfpCronSchedule : KfpMessage
{
    public string? StartTime { get; init; }
    public string? EndTime { get; init; }
    public string? Cron { get; init; }
}

internal sealed record KfpPeriodicSchedule : KfpMessage
{
    public string? StartTime { get; init; }
    public string? EndTime { get; init; }
    public string? IntervalSecond { get; init; }
}

internal sealed record KfpTrigger : KfpMessage
{
    public KfpCronSchedule? CronSchedule { get; init; }
    public KfpPeriodicSchedule? PeriodicSchedule { get; init; }
}

internal sealed record KfpRecurringRun : KfpMessage
{
    public string? RecurringRunId { get; init; }
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
    public string? PipelineVersionId { get; init; }
    public JsonElement? PipelineSpec { get; init; }
    public KfpPipelineVersionReference? PipelineVersionReference { get; init; }
    public KfpRuntimeConfig? RuntimeConfig { get; init; }
    public string? ServiceAccount { get; init; }
    public string? MaxConcurrency { get; init; }
    public KfpTrigger? Trigger { get; init; }
    public string? Mode { get; init; }
    public string? CreatedAt { get; init; }
    public string? UpdatedAt { get; init; }
    public string? Status { get; init; }
    public KfpStatus? Error { get; init; }
    public bool? NoCatchup { get; init; }
    public string? Namespace { get; init; }
    public string? ExperimentId { get; init; }
    public JsonElement? PluginsInput { get; init; }
}

/// <summary>The list reply; note the proto field is <c>recurringRuns</c> (camelCase even in proto names).</summary>
internal sealed record KfpListRecurringRunsResponse : KfpPage
{
    [JsonPropertyName("recurringRuns")] public List<KfpRecurringRun>? RecurringRuns { get; init; }
}

/// <summary>Read-artifact reply: the artifact bytes, base64 in JSON.</summary>
internal sealed record KfpReadArtifactResponse : KfpMessage
{
    public byte[]? Data { get; init; }
}

/// <summary>The <c>filter</c> query parameter, serialized to JSON and then URL-encoded.</summary>
internal sealed record KfpFilter : KfpMessage
{
    public List<KfpPredicate> Predicates { get; init; } = [];
}

internal sealed record KfpPredicate : KfpMessage
{
    public required string Key { get; init; }
    public required string Operation { get; init; }
    public string? StringValue { get; init; }
    public DateTimeOffset? TimestampValue { get; init; }
    public KfpStringValues? StringValues { get; init; }
}

internal sealed record KfpStringValues(List<string> Values);

/// <summary>The body of <c>POST /experiments</c>: only the writable members.</summary>
internal sealed record KfpExperimentCreate
{
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public string? Namespace { get; init; }
}
