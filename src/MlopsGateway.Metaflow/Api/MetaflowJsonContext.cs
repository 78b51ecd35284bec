using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsGateway.Metaflow.Api;

/// <summary>
/// Source-generated JSON metadata for every Metaflow wire type (trim/AOT-safe). Names are spelled out on each
/// property (the service mixes snake_case with ids that are numbers or strings); nulls are written unless a request
/// property says otherwise, so a row's <c>Native</c> is written back as the service sent it.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FlowDto))]
[JsonSerializable(typeof(RunDto))]
[JsonSerializable(typeof(StepDto))]
[JsonSerializable(typeof(TaskDto))]
[JsonSerializable(typeof(MetadataDto))]
[JsonSerializable(typeof(ArtifactDto))]
[JsonSerializable(typeof(TagMutationRequest))]
[JsonSerializable(typeof(TagMutationResponse))]
[JsonSerializable(typeof(MetadataCreatedResponse))]
[JsonSerializable(typeof(ArtifactsCreatedResponse))]
[JsonSerializable(typeof(CreateObjectRequest))]
[JsonSerializable(typeof(List<FlowDto>))]
[JsonSerializable(typeof(List<RunDto>))]
[JsonSerializable(typeof(List<StepDto>))]
[JsonSerializable(typeof(List<TaskDto>))]
[JsonSerializable(typeof(List<MetadataDto>))]
[JsonSerializable(typeof(List<ArtifactDto>))]
[JsonSerializable(typeof(List<MetadataWriteDto>))]
[JsonSerializable(typeof(List<ArtifactWriteDto>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(EmptyBody))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class MetaflowJsonContext : JsonSerializerContext;
