using System.Text.Json;

namespace MlopsGateway;

/// <summary>A named group of tracked runs (MLflow experiment, KFP experiment, Local experiment).</summary>
public sealed record Experiment
{
    /// <summary>The configured name of the backend of record.</summary>
    public required string Backend { get; init; }

    /// <summary>The platform's experiment id (a string even where the platform uses numbers).</summary>
    public required string Id { get; init; }

    /// <summary>The unique experiment name.</summary>
    public required string Name { get; init; }

    /// <summary>Whether the experiment is active, or deleted/archived but restorable.</summary>
    public LifecycleState State { get; init; } = LifecycleState.Active;

    /// <summary>Default artifact location for runs of this experiment, when the platform has one.</summary>
    public string? ArtifactLocation { get; init; }

    /// <summary>Experiment tags.</summary>
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

/// <summary>Whether an object is in use or soft-deleted (MLflow deleted, KFP archived).</summary>
public enum LifecycleState
{
    /// <summary>In use.</summary>
    Active,
    /// <summary>Soft-deleted or archived; can be restored. Its name stays reserved.</summary>
    Deleted,
}
