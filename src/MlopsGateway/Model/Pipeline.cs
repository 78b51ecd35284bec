using System.Text.Json;

namespace MlopsGateway;

/// <summary>An orchestrated workflow definition: an Airflow DAG, a KFP pipeline, a Metaflow flow or a Local registered pipeline.</summary>
public sealed record Pipeline
{
    /// <summary>The configured name of the backend of record.</summary>
    public required string Backend { get; init; }

    /// <summary>The platform's pipeline id (DAG id, KFP pipeline UUID, flow name).</summary>
    public required string Id { get; init; }

    /// <summary>The display name (equal to <see cref="Id"/> where the platform has no separate name).</summary>
    public required string Name { get; init; }

    /// <summary>A description, when one was given.</summary>
    public string? Description { get; init; }

    /// <summary>Whether scheduling is paused (Airflow), when the platform has that notion.</summary>
    public bool? IsPaused { get; init; }

    /// <summary>The schedule as the platform spells it (cron, timetable description), when it has one.</summary>
    public string? Schedule { get; init; }

    /// <summary>The next scheduled run time (UTC), when the platform reports one.</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>Owners, when the platform records them.</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];

    /// <summary>Tags (Airflow DAG tags are keys with empty values).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyMaps.Strings;

    /// <summary>Creation time (UTC), when known.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    private NativeJson? _native;

    /// <summary>The platform's own representation, as an escape hatch. Produced from the wire object the first time it is read.</summary>
    public JsonElement? Native { get => _native?.Value; init => _native = NativeJson.FromElement(value); }

    /// <summary>For adapters: the wire object <see cref="Native"/> is produced from when first read.</summary>
    internal NativeJson? NativeSource { init => _native = value; }
}

/// <summary>One version of a pipeline definition (KFP pipeline version, Local registration).</summary>
public sealed record PipelineVersion
{
    /// <summary>The configured name of the backend of record.</summary>
    public required string Backend { get; init; }

    /// <summary>The pipeline this version belongs to.</summary>
    public required string PipelineId { get; init; }

    /// <summary>The version id.</summary>
    public required string Id { get; init; }

    /// <summary>The version's display name.</summary>
    public string? Name { get; init; }

    /// <summary>A description, when one was given.</summary>
    public string? Description { get; init; }

    /// <summary>Creation time (UTC), when known.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    private NativeJson? _native;

    /// <summary>The platform's own representation, as an escape hatch. Produced from the wire object the first time it is read.</summary>
    public JsonElement? Native { get => _native?.Value; init => _native = NativeJson.FromElement(value); }

    /// <summary>For adapters: the wire object <see cref="Native"/> is produced from when first read.</summary>
    internal NativeJson? NativeSource { init => _native = value; }
}
