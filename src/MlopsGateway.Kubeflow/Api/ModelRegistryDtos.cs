using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsGateway.Kubeflow.Api;

// Kubeflow Model Registry v1alpha3 wire types: camelCase, string ids, epoch-millisecond strings (kept as
// strings, read with the core's EpochTime.FromMilliseconds), and
// customProperties whose values are a oneOf discriminated by "metadataType" (their own keys are snake_case).
// Request bodies reuse these types with only the members the caller sets (nulls are not written).

/// <summary>
/// A custom property value, polymorphic on <c>metadataType</c> through <see cref="MrMetadataValueConverter"/>
/// (the discriminator may appear anywhere in the object). A type this gateway does not know is read as this
/// base type with every member, discriminator included, kept in <see cref="Extra"/> and written back unchanged.
/// </summary>
[JsonConverter(typeof(MrMetadataValueConverter))]
internal record MrMetadataValue
{
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record MrStringValue : MrMetadataValue
{
    public string? StringValue { get; init; }
}

/// <summary>An int64, a JSON string on the wire.</summary>
internal sealed record MrIntValue : MrMetadataValue
{
    public long? IntValue { get; init; }
}

internal sealed record MrDoubleValue : MrMetadataValue
{
    public double? DoubleValue { get; init; }
}

internal sealed record MrBoolValue : MrMetadataValue
{
    public bool? BoolValue { get; init; }
}

internal sealed record MrStructValue : MrMetadataValue
{
    /// <summary>Base64 of a serialized protobuf Struct.</summary>
    public string? StructValue { get; init; }
}

internal sealed record MrProtoValue : MrMetadataValue
{
    public string? Type { get; init; }
    public string? ProtoValue { get; init; }
}

/// <summary>Every Model Registry object: unknown members are kept.</summary>
internal abstract record MrMessage
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed record MrRegisteredModel : MrMessage
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? ExternalId { get; init; }
    public string? Owner { get; init; }
    public string? State { get; init; }
    public Dictionary<string, MrMetadataValue>? CustomProperties { get; init; }
    public string? CreateTimeSinceEpoch { get; init; }
    public string? LastUpdateTimeSinceEpoch { get; init; }
}

internal sealed record MrModelVersion : MrMessage
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? RegisteredModelId { get; init; }
    public string? Description { get; init; }
    public string? ExternalId { get; init; }
    public string? Author { get; init; }
    public string? State { get; init; }
    public Dictionary<string, MrMetadataValue>? CustomProperties { get; init; }
    public string? CreateTimeSinceEpoch { get; init; }
    public string? LastUpdateTimeSinceEpoch { get; init; }
}

internal sealed record MrModelArtifact : MrMessage
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? ArtifactType { get; init; }
    public string? Description { get; init; }
    public string? ExternalId { get; init; }
    public string? Uri { get; init; }
    public string? State { get; init; }
    public string? ModelFormatName { get; init; }
    public string? ModelFormatVersion { get; init; }
    public string? StorageKey { get; init; }
    public string? StoragePath { get; init; }
    public string? ServiceAccountName { get; init; }
    public string? ModelSourceKind { get; init; }
    public string? ModelSourceClass { get; init; }
    public string? ModelSourceGroup { get; init; }
    public string? ModelSourceId { get; init; }
    public string? ModelSourceName { get; init; }
    public string? ExperimentId { get; init; }
    public string? ExperimentRunId { get; init; }
    public Dictionary<string, MrMetadataValue>? CustomProperties { get; init; }
    public string? CreateTimeSinceEpoch { get; init; }
    public string? LastUpdateTimeSinceEpoch { get; init; }
}

/// <summary>A list reply: <c>{items, nextPageToken, pageSize, size}</c>; an empty token is the last page.</summary>
internal sealed record MrList<T> : MrMessage
{
    public List<T>? Items { get; init; }
    public string? NextPageToken { get; init; }
    public int? PageSize { get; init; }
    public int? Size { get; init; }
}

/// <summary>The Model Registry error body: a string <c>code</c> and a message.</summary>
internal sealed record MrError : MrMessage
{
    public string? Code { get; init; }
    public string? Message { get; init; }
}
