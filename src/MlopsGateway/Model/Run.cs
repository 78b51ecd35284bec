using System.Text.Json;

namespace MlopsGateway;

/// <summary>
/// One execution on a backend — an MLflow run, an Airflow DAG run, a KFP run, a Metaflow run or a
/// Local run — in the backend-neutral shape. Immutable snapshot: re-read it to observe changes.
/// </summary>
public sealed record Run
{
    /// <summary>The configured name of the backend of record; run-scoped calls through a composite go there.</summary>
    public required string Backend { get; init; }

    /// <summary>Opaque, round-trippable id (<c>dagId/dagRunId</c> for Airflow, <c>Flow/123</c> for Metaflow).</summary>
    public required string Id { get; init; }

    /// <summary>The display name, when the platform has one.</summary>
    public string? Name { get; init; }

    /// <summary>The normalized state.</summary>
    public RunStatus Status { get; init; }

    /// <summary>The platform's own spelling of the state (for example <c>up_for_retry</c>), or <see langword="null"/> when it reported none.</summary>
    public string? RawStatus { get; init; }

    /// <summary>When the run started executing (UTC), when known.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>When the run reached a terminal state (UTC), when it has.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>The experiment the run is tracked under (MLflow, KFP, Local), when it has one.</summary>
    public string? ExperimentId { get; init; }

    /// <summary>The pipeline id the run executes (Airflow DAG, KFP pipeline, Metaflow flow), when it has one.</summary>
    public string? PipelineId { get; init; }

    /// <summary>The pipeline version the run executes, when the platform versions pipelines.</summary>
    public string? PipelineVersionId { get; init; }

    /// <summary>
    /// Parameters. Trigger parameters that are not strings appear as compact JSON; numbers use the
    /// invariant culture. Metaflow exposes names only (values are empty strings).
    /// </summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = EmptyMaps.Strings;

    /// <summary>The latest value of every metric logged to the run.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = EmptyMaps.Doubles;

    /// <summary>User tags, key to value (a Metaflow tag <c>x</c> is key <c>x</c> with value <c>""</c>).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyMaps.Strings;

    /// <summary>Tags the platform maintains itself and callers cannot change (Metaflow system tags).</summary>
    public IReadOnlyList<string> SystemTags { get; init; } = [];

    /// <summary>Where the run's artifacts live, as the platform reports it.</summary>
    public string? ArtifactLocation { get; init; }

    private NativeJson? _native;

    /// <summary>The platform's own representation of the run, kept as an escape hatch; <see langword="null"/> for Local. Produced from the wire object the first time it is read.</summary>
    public JsonElement? Native { get => _native?.Value; init => _native = NativeJson.FromElement(value); }

    /// <summary>For adapters: the wire object <see cref="Native"/> is produced from when first read.</summary>
    internal NativeJson? NativeSource { init => _native = value; }

    /// <summary>Whether <see cref="Status"/> is terminal.</summary>
    public bool IsTerminal => Status.IsTerminal();
}
