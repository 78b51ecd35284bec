using System.Text.Json;

namespace MlopsGateway;

/// <summary>A named model in a registry (MLflow registered model, Kubeflow Model Registry model, Local).</summary>
public sealed record RegisteredModel
{
    /// <summary>The configured name of the backend of record.</summary>
    public required string Backend { get; init; }

    /// <summary>The unique model name.</summary>
    public required string Name { get; init; }

    /// <summary>A description, when one was given.</summary>
    public string? Description { get; init; }

    /// <summary>Tags (Model Registry custom properties).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyMaps.Strings;

    /// <summary>Aliases, alias name to version: the promotion mechanism (<c>champion</c> → <c>3</c>).</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = EmptyMaps.Strings;

    /// <summary>Creation time (UTC), when known.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Last update time (UTC), when known.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    private NativeJson? _native;

    /// <summary>The platform's own representation, as an escape hatch. Produced from the wire object the first time it is read.</summary>
    public JsonElement? Native { get => _native?.Value; init => _native = NativeJson.FromElement(value); }

    /// <summary>For adapters: the wire object <see cref="Native"/> is produced from when first read.</summary>
    internal NativeJson? NativeSource { init => _native = value; }
}

/// <summary>One version of a registered model.</summary>
public sealed record ModelVersion
{
    /// <summary>The configured name of the backend of record.</summary>
    public required string Backend { get; init; }

    /// <summary>The registered model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The version, a string (<c>"1"</c>, <c>"2"</c> …) on every platform.</summary>
    public required string Version { get; init; }

    /// <summary>Where the model's files are (an artifact URI such as <c>runs:/…</c>, <c>mlflow-artifacts:/…</c> or <c>s3://…</c>).</summary>
    public string? Source { get; init; }

    /// <summary>The run this version was produced by, when recorded.</summary>
    public string? RunId { get; init; }

    /// <summary>A description, when one was given.</summary>
    public string? Description { get; init; }

    /// <summary>The legacy stage (<c>None</c>, <c>Staging</c>, <c>Production</c>, <c>Archived</c>) where the platform has stages natively; otherwise <see langword="null"/>.</summary>
    public string? Stage { get; init; }

    /// <summary>The platform's readiness status for the version (MLflow <c>READY</c>), when it has one.</summary>
    public string? Status { get; init; }

    /// <summary>Aliases that point at this version.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Version tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyMaps.Strings;

    /// <summary>Creation time (UTC), when known.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Last update time (UTC), when known.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    private NativeJson? _native;

    /// <summary>The platform's own representation, as an escape hatch. Produced from the wire object the first time it is read.</summary>
    public JsonElement? Native { get => _native?.Value; init => _native = NativeJson.FromElement(value); }

    /// <summary>For adapters: the wire object <see cref="Native"/> is produced from when first read.</summary>
    internal NativeJson? NativeSource { init => _native = value; }
}
