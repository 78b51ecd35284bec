using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MlopsGateway.Kubeflow.Api;

// Kubeflow Pipelines v2beta1 wire types (snake_case proto names). The server omits zero values, so every
// member is optional; int64 fields travel as JSON strings and are kept as strings here (ids such as
// execution_id are identifiers, and the few numbers the gateway needs are parsed where used, see Int64);
// enums stay strings so a newer server's values survive. [JsonExtensionData] keeps whatever a newer server
// adds, so nothing read is lost.

/// <summary>A <c>google.rpc.Status</c>: the gRPC error body, also embedded as <c>error</c> in 200 replies.</summary>
internal sealed record KfpStatus
{
    public int? Code { get; init; }
    public string? Message { get; init; }
    public List<JsonElement>? Details { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The v1 error shape of the plain-HTTP handlers (upload, upload_version, read-artifact).</summary>
internal sealed record KfpHttpError
{
    public string? ErrorMessage { get; init; }
    public string? ErrorDetails { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary><c>GET /healthz</c>; <c>commit_sha</c>/<c>tag_name</c> are served although the swagger omits them.</summary>
internal sealed record KfpHealthz
{
    public bool? MultiUser { get; init; }
    public string? PipelineStore { get; init; }
    public string? CommitSha { get; init; }
    public string? TagName { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpPipeline
{
    public string? PipelineId { get; init; }
    public string? DisplayName { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? Namespace { get; init; }
    public KfpStatus? Error { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpUrl
{
    public string? PipelineUrl { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpPipelineVersion
{
    public string? PipelineId { get; init; }
    public string? PipelineVersionId { get; init; }
    public string? DisplayName { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public KfpUrl? PackageUrl { get; init; }
    public string? CodeSourceUrl { get; init; }
    public JsonElement? PipelineSpec { get; init; }
    public KfpStatus? Error { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpListPipelinesResponse
{
    public List<KfpPipeline>? Pipelines { get; init; }
    public int? TotalSize { get; init; }
    public string? NextPageToken { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpListPipelineVersionsResponse
{
    public List<KfpPipelineVersion>? PipelineVersions { get; init; }
    public int? TotalSize { get; init; }
    public string? NextPageToken { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpExperiment
{
    public string? ExperimentId { get; init; }
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? Namespace { get; init; }
    public string? StorageState { get; init; }
    public DateTimeOffset? LastRunCreatedAt { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpListExperimentsResponse
{
    public List<KfpExperiment>? Experiments { get; init; }
    public int? TotalSize { get; init; }
    public string? NextPageToken { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpPipelineVersionReference
{
    public string? PipelineId { get; init; }
    public string? PipelineVersionId { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpRuntimeConfig
{
    /// <summary>Parameter name to any JSON value (a protobuf Struct).</summary>
    public JsonObject? Parameters { get; init; }
    public string? PipelineRoot { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpRuntimeStatus
{
    public DateTimeOffset? UpdateTime { get; init; }
    public string? State { get; init; }
    public KfpStatus? Error { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpArtifactList
{
    public List<string>? ArtifactIds { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpChildTask
{
    public string? TaskId { get; init; }
    public string? PodName { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpExecutorDetail
{
    public string? MainJob { get; init; }
    public string? PreCachingCheckJob { get; init; }
    public List<string>? FailedMainJobs { get; init; }
    public List<string>? FailedPreCachingCheckJobs { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpTaskDetail
{
    public string? RunId { get; init; }
    public string? TaskId { get; init; }
    public string? DisplayName { get; init; }
    public DateTimeOffset? CreateTime { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
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
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpRunDetails
{
    public string? PipelineContextId { get; init; }
    public string? PipelineRunContextId { get; init; }
    public List<KfpTaskDetail>? TaskDetails { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A run, as read and (with only the writable members set) as sent to <c>POST /runs</c>.</summary>
internal sealed record KfpRun
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
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? ScheduledAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? State { get; init; }
    public KfpStatus? Error { get; init; }
    public KfpRunDetails? RunDetails { get; init; }
    public string? RecurringRunId { get; init; }
    public List<KfpRuntimeStatus>? StateHistory { get; init; }
    public JsonElement? PluginsInput { get; init; }
    public JsonElement? PluginsOutput { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpListRunsResponse
{
    public List<KfpRun>? Runs { get; init; }
    public int? TotalSize { get; init; }
    public string? NextPageToken { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpCronSchedule
{
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public string? Cron { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpPeriodicSchedule
{
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public string? IntervalSecond { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpTrigger
{
    public KfpCronSchedule? CronSchedule { get; init; }
    public KfpPeriodicSchedule? PeriodicSchedule { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpRecurringRun
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
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public string? Status { get; init; }
    public KfpStatus? Error { get; init; }
    public bool? NoCatchup { get; init; }
    public string? Namespace { get; init; }
    public string? ExperimentId { get; init; }
    public JsonElement? PluginsInput { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The list reply; note the proto field is <c>recurringRuns</c> (camelCase even in proto names).</summary>
internal sealed record KfpListRecurringRunsResponse
{
    [JsonPropertyName("recurringRuns")] public List<KfpRecurringRun>? RecurringRuns { get; init; }
    public int? TotalSize { get; init; }
    public string? NextPageToken { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Read-artifact reply: the artifact bytes, base64 in JSON.</summary>
internal sealed record KfpReadArtifactResponse
{
    public byte[]? Data { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The <c>filter</c> query parameter, serialized to JSON and then URL-encoded.</summary>
internal sealed record KfpFilter
{
    public List<KfpPredicate> Predicates { get; init; } = [];
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpPredicate
{
    public required string Key { get; init; }
    public required string Operation { get; init; }
    public string? StringValue { get; init; }
    public DateTimeOffset? TimestampValue { get; init; }
    public KfpStringValues? StringValues { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record KfpStringValues(List<string> Values);

/// <summary>The body of <c>POST /experiments</c>: only the writable members.</summary>
internal sealed record KfpExperimentCreate
{
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public string? Namespace { get; init; }
}
