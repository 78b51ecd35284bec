using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsGateway.MLflow.Api;

// Wire shapes of the MLflow REST API (service.proto, model_registry.proto, mlflow_artifacts.proto), field
// names in snake_case through the context's naming policy. The server omits empty lists and unset fields,
// so every collection is nullable and read as empty when absent. Every type keeps unknown fields in Extra
// so the replay test can prove nothing the server sends is dropped.

/// <summary>Base of every MLflow wire type: keeps fields this client does not model.</summary>
internal abstract class MLflowDto
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A key/value pair: run tags and params, experiment, model and version tags, dataset input tags.</summary>
internal sealed class KeyValueDto : MLflowDto
{
    public string? Key { get; set; }
    public string? Value { get; set; }
}

/// <summary>
/// One metric value. NaN travels as the string <c>"NaN"</c>; the SQL store returns ±Infinity as ±double.MaxValue.
/// MLflow 3 links a point to a logged model and the dataset it was computed on: a logged model's metrics carry
/// <c>model_id</c> (and the dataset fields when given), the bulk history carries <c>run_id</c>.
/// </summary>
internal sealed class MetricDto : MLflowDto
{
    public string? Key { get; set; }
    public double Value { get; set; }
    public long Timestamp { get; set; }
    public long Step { get; set; }
    public string? DatasetName { get; set; }
    public string? DatasetDigest { get; set; }
    public string? ModelId { get; set; }
    public string? RunId { get; set; }
}

/// <summary>
/// A metric point as log-batch sends it: only what the gateway writes. Kept apart from <see cref="MetricDto"/>, whose
/// read-side MLflow 3 fields would cost every one of up to 100,000 buffered points 32 bytes it never uses.
/// </summary>
internal sealed class LoggedMetricDto
{
    public string? Key { get; set; }
    public double Value { get; set; }
    public long Timestamp { get; set; }
    public long Step { get; set; }
}

internal sealed class ExperimentDto : MLflowDto
{
    public string? ExperimentId { get; set; }
    public string? Name { get; set; }
    public string? ArtifactLocation { get; set; }
    public string? LifecycleStage { get; set; }
    public long? LastUpdateTime { get; set; }
    public long? CreationTime { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
}

internal sealed class RunInfoDto : MLflowDto
{
    public string? RunUuid { get; set; }
    public string? ExperimentId { get; set; }
    public string? RunName { get; set; }
    public string? UserId { get; set; }
    public string? Status { get; set; }
    public long? StartTime { get; set; }
    public long? EndTime { get; set; }
    public string? ArtifactUri { get; set; }
    public string? LifecycleStage { get; set; }
    public string? RunId { get; set; }
}

internal sealed class RunDataDto : MLflowDto
{
    public List<MetricDto>? Metrics { get; set; }
    public List<KeyValueDto>? Params { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
}

internal sealed class DatasetDto : MLflowDto
{
    public string? Name { get; set; }
    public string? Digest { get; set; }
    public string? SourceType { get; set; }
    public string? Source { get; set; }
    public string? Schema { get; set; }
    public string? Profile { get; set; }
}

internal sealed class DatasetInputDto : MLflowDto
{
    public List<KeyValueDto>? Tags { get; set; }
    public DatasetDto? Dataset { get; set; }
}

/// <summary>MLflow 3 link from a run to a logged model it consumed.</summary>
internal sealed class ModelInputDto : MLflowDto
{
    public string? ModelId { get; set; }
}

/// <summary>MLflow 3 link from a run to a logged model it produced.</summary>
internal sealed class ModelOutputDto : MLflowDto
{
    public string? ModelId { get; set; }
    public long? Step { get; set; }
}

internal sealed class RunInputsDto : MLflowDto
{
    public List<DatasetInputDto>? DatasetInputs { get; set; }
    public List<ModelInputDto>? ModelInputs { get; set; }
}

internal sealed class RunOutputsDto : MLflowDto
{
    public List<ModelOutputDto>? ModelOutputs { get; set; }
}

internal sealed class RunDto : MLflowDto
{
    public RunInfoDto? Info { get; set; }
    public RunDataDto? Data { get; set; }
    public RunInputsDto? Inputs { get; set; }
    public RunOutputsDto? Outputs { get; set; }
}

internal sealed class FileInfoDto : MLflowDto
{
    public string? Path { get; set; }
    public bool? IsDir { get; set; }
    public long? FileSize { get; set; }
}

internal sealed class AliasDto : MLflowDto
{
    public string? Alias { get; set; }
    public string? Version { get; set; }
}

internal sealed class ModelVersionDto : MLflowDto
{
    public string? Name { get; set; }
    public string? Version { get; set; }
    public long? CreationTimestamp { get; set; }
    public long? LastUpdatedTimestamp { get; set; }
    public string? UserId { get; set; }
    public string? CurrentStage { get; set; }
    public string? Description { get; set; }
    public string? Source { get; set; }
    public string? RunId { get; set; }
    public string? Status { get; set; }
    public string? StatusMessage { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
    public string? RunLink { get; set; }
    public List<string>? Aliases { get; set; }
}

internal sealed class RegisteredModelDto : MLflowDto
{
    public string? Name { get; set; }
    public long? CreationTimestamp { get; set; }
    public long? LastUpdatedTimestamp { get; set; }
    public string? UserId { get; set; }
    public string? Description { get; set; }
    public List<ModelVersionDto>? LatestVersions { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
    public List<AliasDto>? Aliases { get; set; }
}

/// <summary>MLflow 3 logged model metadata. <c>status</c> is read as a JsonElement: an enum name, or its number.</summary>
internal sealed class LoggedModelInfoDto : MLflowDto
{
    public string? ModelId { get; set; }
    public string? ExperimentId { get; set; }
    public string? Name { get; set; }
    public long? CreationTimestampMs { get; set; }
    public long? LastUpdatedTimestampMs { get; set; }
    public string? ArtifactUri { get; set; }
    public JsonElement? Status { get; set; }
    public string? ModelType { get; set; }
    public string? SourceRunId { get; set; }
    public string? StatusMessage { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
}

internal sealed class LoggedModelDataDto : MLflowDto
{
    public List<KeyValueDto>? Params { get; set; }
    public List<MetricDto>? Metrics { get; set; }
}

internal sealed class LoggedModelDto : MLflowDto
{
    public LoggedModelInfoDto? Info { get; set; }
    public LoggedModelDataDto? Data { get; set; }
}

// ---- responses ----

/// <summary>The <c>{}</c> a void RPC answers.</summary>
internal sealed class EmptyResponse : MLflowDto;

internal sealed class CreateExperimentResponse : MLflowDto
{
    public string? ExperimentId { get; set; }
}

internal sealed class ExperimentResponse : MLflowDto
{
    public ExperimentDto? Experiment { get; set; }
}

internal sealed class SearchExperimentsResponse : MLflowDto
{
    public List<ExperimentDto>? Experiments { get; set; }
    public string? NextPageToken { get; set; }
}

/// <summary>Answer of runs/create and runs/get.</summary>
internal sealed class RunResponse : MLflowDto
{
    public RunDto? Run { get; set; }
}

internal sealed class UpdateRunResponse : MLflowDto
{
    public RunInfoDto? RunInfo { get; set; }
}

internal sealed class SearchRunsResponse : MLflowDto
{
    public List<RunDto>? Runs { get; set; }
    public string? NextPageToken { get; set; }
}

/// <summary>Answer of metrics/get-history and the bulk variants (whose points carry run_id).</summary>
internal sealed class MetricHistoryResponse : MLflowDto
{
    public List<MetricDto>? Metrics { get; set; }
    public string? NextPageToken { get; set; }
}

/// <summary>Answer of the tracking-side listing (run-relative paths plus root_uri) and the proxy listing (names only).</summary>
internal sealed class ListArtifactsResponse : MLflowDto
{
    public string? RootUri { get; set; }
    public List<FileInfoDto>? Files { get; set; }
    public string? NextPageToken { get; set; }
}

internal sealed class RegisteredModelResponse : MLflowDto
{
    public RegisteredModelDto? RegisteredModel { get; set; }
}

internal sealed class SearchRegisteredModelsResponse : MLflowDto
{
    public List<RegisteredModelDto>? RegisteredModels { get; set; }
    public string? NextPageToken { get; set; }
}

internal sealed class ModelVersionResponse : MLflowDto
{
    public ModelVersionDto? ModelVersion { get; set; }
}

/// <summary>Answer of model-versions/search and registered-models/get-latest-versions.</summary>
internal sealed class SearchModelVersionsResponse : MLflowDto
{
    public List<ModelVersionDto>? ModelVersions { get; set; }
    public string? NextPageToken { get; set; }
}

internal sealed class DownloadUriResponse : MLflowDto
{
    public string? ArtifactUri { get; set; }
}

/// <summary>Answer of logged-models create, get and finalize (3.0+).</summary>
internal sealed class LoggedModelResponse : MLflowDto
{
    public LoggedModelDto? Model { get; set; }
}

internal sealed class SearchLoggedModelsResponse : MLflowDto
{
    public List<LoggedModelDto>? Models { get; set; }
    public string? NextPageToken { get; set; }
}

/// <summary>The JSON error body: <c>{"error_code": …, "message": …}</c> (3.x may add sqlstate/error_class, kept in Extra).</summary>
internal sealed class ErrorResponse : MLflowDto
{
    public string? ErrorCode { get; set; }
    public string? Message { get; set; }
}

// ---- requests ----

internal sealed class CreateExperimentRequest : MLflowDto
{
    public string? Name { get; set; }
    public string? ArtifactLocation { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
}

/// <summary>experiments/delete, experiments/restore; with NewName experiments/update; with Key/Value the experiment tag calls.</summary>
internal sealed class ExperimentRequest : MLflowDto
{
    public string? ExperimentId { get; set; }
    public string? NewName { get; set; }
    public string? Key { get; set; }
    public string? Value { get; set; }
}

internal sealed class SearchExperimentsRequest : MLflowDto
{
    public int MaxResults { get; set; }
    public string? PageToken { get; set; }
    public string? Filter { get; set; }
    public List<string>? OrderBy { get; set; }
    public string? ViewType { get; set; }
}

internal sealed class CreateRunRequest : MLflowDto
{
    public string? ExperimentId { get; set; }
    public string? UserId { get; set; }
    public string? RunName { get; set; }
    public long StartTime { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
}

/// <summary>runs/update, runs/delete, runs/restore, runs/set-tag, runs/delete-tag (unused fields stay null and are omitted).</summary>
internal sealed class RunRequest : MLflowDto
{
    public string? RunId { get; set; }
    public string? Status { get; set; }
    public long? EndTime { get; set; }
    public string? RunName { get; set; }
    public string? Key { get; set; }
    public string? Value { get; set; }
}

internal sealed class SearchRunsRequest : MLflowDto
{
    public List<string>? ExperimentIds { get; set; }
    public string? Filter { get; set; }
    public string? RunViewType { get; set; }
    public int MaxResults { get; set; }
    public List<string>? OrderBy { get; set; }
    public string? PageToken { get; set; }
}

internal sealed class LogBatchRequest : MLflowDto
{
    public string? RunId { get; set; }
    public List<LoggedMetricDto>? Metrics { get; set; }
    public List<KeyValueDto>? Params { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
}

internal sealed class LogInputsRequest : MLflowDto
{
    public string? RunId { get; set; }
    public List<DatasetInputDto>? Datasets { get; set; }
}

internal sealed class CreateRegisteredModelRequest : MLflowDto
{
    public string? Name { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
    public string? Description { get; set; }
}

/// <summary>The registry's name-keyed calls: rename (NewName), update (Description), delete, tags (Key/Value), aliases (Alias/Version), versions (Version, Stage …).</summary>
internal sealed class RegistryRequest : MLflowDto
{
    public string? Name { get; set; }
    public string? NewName { get; set; }
    public string? Version { get; set; }
    public string? Description { get; set; }
    public string? Key { get; set; }
    public string? Value { get; set; }
    public string? Alias { get; set; }
    public string? Stage { get; set; }
    public bool? ArchiveExistingVersions { get; set; }
}

internal sealed class CreateModelVersionRequest : MLflowDto
{
    public string? Name { get; set; }
    public string? Source { get; set; }
    public string? RunId { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
    public string? RunLink { get; set; }
    public string? Description { get; set; }
}

internal sealed class CreateLoggedModelRequest : MLflowDto
{
    public string? ExperimentId { get; set; }
    public string? Name { get; set; }
    public string? ModelType { get; set; }
    public string? SourceRunId { get; set; }
    public List<KeyValueDto>? Params { get; set; }
    public List<KeyValueDto>? Tags { get; set; }
}

/// <summary>
/// PATCH logged-models/{id}: the status as the proto enum's name (<c>LOGGED_MODEL_READY</c>), as recorded against
/// MLflow 3.11 (a bare <c>READY</c> is refused with 400). <c>model_id</c> repeats the id in the path.
/// </summary>
internal sealed class FinalizeLoggedModelRequest : MLflowDto
{
    public string? ModelId { get; set; }
    public string? Status { get; set; }
}

internal sealed class SearchLoggedModelsRequest : MLflowDto
{
    public List<string>? ExperimentIds { get; set; }
    public string? Filter { get; set; }
    public int MaxResults { get; set; }
    public string? PageToken { get; set; }
}
