using System.Text.Json;

namespace MlopsGateway;

/// <summary>One step of a run: an Airflow task instance, a KFP task, a Metaflow task or a Local step.</summary>
public sealed record TaskRun
{
    /// <summary>The configured name of the backend of record.</summary>
    public required string Backend { get; init; }

    /// <summary>The run this task belongs to.</summary>
    public required string RunId { get; init; }

    /// <summary>Opaque task id, unique within the run; pass it to <see cref="IPipelineClient.ReadTaskLogAsync"/>.</summary>
    public required string Id { get; init; }

    /// <summary>The step or task name as defined in the pipeline.</summary>
    public required string Name { get; init; }

    /// <summary>The normalized state (a task the scheduler has not reached yet is <see cref="RunStatus.Queued"/>).</summary>
    public RunStatus Status { get; init; }

    /// <summary>The platform's own spelling of the state, or <see langword="null"/> when it reported none.</summary>
    public string? RawStatus { get; init; }

    /// <summary>The attempt number (Airflow try number, Metaflow attempt), 1-based; 0 when not started.</summary>
    public int Attempt { get; init; }

    /// <summary>When the task started (UTC), when it has.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>When the task finished (UTC), when it has.</summary>
    public DateTimeOffset? EndTime { get; init; }

    private NativeJson? _native;

    /// <summary>The platform's own representation, as an escape hatch. Produced from the wire object the first time it is read.</summary>
    public JsonElement? Native { get => _native?.Value; init => _native = NativeJson.FromElement(value); }

    /// <summary>For adapters: the wire object <see cref="Native"/> is produced from when first read.</summary>
    internal NativeJson? NativeSource { init => _native = value; }
}
