using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsGateway.Airflow.Api;

/// <summary>Source-generated JSON metadata for both Airflow dialects (trim/AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(DagV1Dto))]
[JsonSerializable(typeof(DagV2Dto))]
[JsonSerializable(typeof(DagPage<DagV1Dto>))]
[JsonSerializable(typeof(DagPage<DagV2Dto>))]
[JsonSerializable(typeof(DagRunV1Dto))]
[JsonSerializable(typeof(DagRunV2Dto))]
[JsonSerializable(typeof(DagRunPage<DagRunV1Dto>))]
[JsonSerializable(typeof(DagRunPage<DagRunV2Dto>))]
[JsonSerializable(typeof(TaskInstanceV1Dto))]
[JsonSerializable(typeof(TaskInstanceV2Dto))]
[JsonSerializable(typeof(TaskInstancePage<TaskInstanceV1Dto>))]
[JsonSerializable(typeof(TaskInstancePage<TaskInstanceV2Dto>))]
[JsonSerializable(typeof(TaskInstanceHistoryV1Page))]
[JsonSerializable(typeof(TaskLogDto))]
[JsonSerializable(typeof(VersionDto))]
[JsonSerializable(typeof(LogTokenPayload))]
[JsonSerializable(typeof(TriggerV1Body))]
[JsonSerializable(typeof(TriggerV2Body))]
[JsonSerializable(typeof(DagPatchBody))]
[JsonSerializable(typeof(DagRunStateBody))]
[JsonSerializable(typeof(DagRunClearBody))]
internal sealed partial class AirflowJsonContext : JsonSerializerContext;
