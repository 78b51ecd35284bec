using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>Source-generated JSON for the KFP v2beta1 API: snake_case proto names, nulls never written.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(KfpStatus))]
[JsonSerializable(typeof(KfpHttpError))]
[JsonSerializable(typeof(KfpHealthz))]
[JsonSerializable(typeof(KfpPipeline))]
[JsonSerializable(typeof(KfpPipelineVersion))]
[JsonSerializable(typeof(KfpListPipelinesResponse))]
[JsonSerializable(typeof(KfpListPipelineVersionsResponse))]
[JsonSerializable(typeof(KfpExperiment))]
[JsonSerializable(typeof(KfpExperimentCreate))]
[JsonSerializable(typeof(KfpListExperimentsResponse))]
[JsonSerializable(typeof(KfpRun))]
[JsonSerializable(typeof(KfpListRunsResponse))]
[JsonSerializable(typeof(KfpRecurringRun))]
[JsonSerializable(typeof(KfpListRecurringRunsResponse))]
[JsonSerializable(typeof(KfpReadArtifactResponse))]
[JsonSerializable(typeof(KfpFilter))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class KfpJsonContext : JsonSerializerContext;

/// <summary>
/// Source-generated JSON for the Model Registry: camelCase, nulls never written; custom property values go
/// through <see cref="MrMetadataValueConverter"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(MrMetadataValue))]
[JsonSerializable(typeof(MrRegisteredModel))]
[JsonSerializable(typeof(MrModelVersion))]
[JsonSerializable(typeof(MrModelArtifact))]
[JsonSerializable(typeof(MrList<MrRegisteredModel>))]
[JsonSerializable(typeof(MrList<MrModelVersion>))]
[JsonSerializable(typeof(MrList<MrModelArtifact>))]
[JsonSerializable(typeof(MrError))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ModelRegistryJsonContext : JsonSerializerContext;
