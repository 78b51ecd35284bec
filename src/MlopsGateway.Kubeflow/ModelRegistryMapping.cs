using System.Globalization;
using System.Text.Json;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>
/// Model Registry objects to the neutral model. Tags are the custom properties (string values verbatim, numbers
/// and booleans in the invariant culture); the aliases live in ONE custom property of the registered model,
/// <see cref="AliasesKey"/>, holding a JSON object alias → version, so moving an alias is one PATCH.
/// </summary>
internal static class ModelRegistryMapping
{
    /// <summary>The registered model's custom property that holds the alias map.</summary>
    public const string AliasesKey = "mlops.aliases";

    public const string Live = "LIVE";
    public const string Archived = "ARCHIVED";

    public static Dictionary<string, string> Aliases(MrRegisteredModel model)
    {
        if (model.CustomProperties?.GetValueOrDefault(AliasesKey) is MrStringValue { StringValue: { Length: > 0 } json })
        {
            try
            {
                return JsonSerializer.Deserialize(json, ModelRegistryJsonContext.Default.DictionaryStringString) ?? [];
            }
            catch (JsonException)
            {
                return [];
            }
        }
        return [];
    }

    public static MrStringValue AliasValue(IReadOnlyDictionary<string, string> aliases)
        => new() { StringValue = JsonSerializer.Serialize(new Dictionary<string, string>(aliases), ModelRegistryJsonContext.Default.DictionaryStringString) };

    public static Dictionary<string, string> Tags(Dictionary<string, MrMetadataValue>? properties)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in properties ?? [])
        {
            if (key == AliasesKey)
            {
                continue;
            }
            string? text = value switch
            {
                MrStringValue s => s.StringValue ?? "",
                MrIntValue i => i.IntValue?.ToString(CultureInfo.InvariantCulture),
                MrDoubleValue d => d.DoubleValue?.ToString("R", CultureInfo.InvariantCulture),
                MrBoolValue b => b.BoolValue is { } flag ? (flag ? "true" : "false") : null,
                _ => null,
            };
            if (text is not null)
            {
                tags[key] = text;
            }
        }
        return tags;
    }

    public static Dictionary<string, MrMetadataValue> ToProperties(IReadOnlyDictionary<string, string>? tags)
        => (tags ?? new Dictionary<string, string>()).ToDictionary(t => t.Key, t => (MrMetadataValue)new MrStringValue { StringValue = t.Value }, StringComparer.Ordinal);

    /// <summary>
    /// Applies changes to a custom property map: a value is written as a string property, null removes the key;
    /// untouched properties keep their type. The result is sent whole (the registry replaces the map).
    /// </summary>
    public static Dictionary<string, MrMetadataValue> WithChanges(Dictionary<string, MrMetadataValue>? properties, IReadOnlyDictionary<string, string?> changes)
    {
        var result = new Dictionary<string, MrMetadataValue>(properties ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = new MrStringValue { StringValue = value };
            }
        }
        return result;
    }

    /// <summary>Whether a version's artifact is a model artifact (the list endpoint also returns docs, datasets, metrics…).</summary>
    public static bool IsModelArtifact(MrModelArtifact artifact) => artifact.ArtifactType is null or "model-artifact";

    public static RegisteredModel ToModel(MrRegisteredModel model, string backend) => new()
    {
        Backend = backend,
        Name = model.Name ?? "",
        Description = KfpMapping.NullIfEmpty(model.Description),
        Tags = Tags(model.CustomProperties),
        Aliases = Aliases(model),
        CreatedAt = EpochTime.FromMilliseconds(model.CreateTimeSinceEpoch),
        UpdatedAt = EpochTime.FromMilliseconds(model.LastUpdateTimeSinceEpoch),
        Native = JsonSerializer.SerializeToElement(model, ModelRegistryJsonContext.Default.MrRegisteredModel),
    };

    public static ModelVersion ToVersion(MrRegisteredModel model, MrModelVersion version, MrModelArtifact? artifact, string backend)
    {
        var name = version.Name ?? "";
        return new ModelVersion
        {
            Backend = backend,
            ModelName = model.Name ?? "",
            Version = name,
            Source = KfpMapping.NullIfEmpty(artifact?.Uri),
            RunId = KfpMapping.NullIfEmpty(artifact?.ModelSourceId),
            Description = KfpMapping.NullIfEmpty(version.Description),
            Status = version.State ?? Live,
            Aliases = Aliases(model).Where(a => a.Value == name).Select(a => a.Key).Order(StringComparer.Ordinal).ToList(),
            Tags = Tags(version.CustomProperties),
            CreatedAt = EpochTime.FromMilliseconds(version.CreateTimeSinceEpoch),
            UpdatedAt = EpochTime.FromMilliseconds(version.LastUpdateTimeSinceEpoch),
            Native = JsonSerializer.SerializeToElement(version, ModelRegistryJsonContext.Default.MrModelVersion),
        };
    }
}
