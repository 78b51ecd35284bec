namespace MlopsGateway;

/// <summary>Settings for a tracked run created by <see cref="IRunClient.CreateRunAsync"/> or <see cref="IRunClient.StartAsync"/>.</summary>
public record RunCreateOptions
{
    /// <summary>The run's display name; the platform chooses one when absent.</summary>
    public string? Name { get; init; }

    /// <summary>Initial tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>The start time to record; now (from the backend's <see cref="TimeProvider"/>) when absent.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>
    /// A caller-chosen run id, on platforms that accept one (Metaflow string run ids). Lets a retried
    /// registration meet a conflict and return the existing run instead of creating a second.
    /// </summary>
    public string? RunId { get; init; }
}

/// <summary>Settings for <see cref="IRunClient.StartAsync"/> and <see cref="IRunClient.RunAsync"/>: the run plus its logging buffer.</summary>
public sealed record RunStartOptions : RunCreateOptions
{
    /// <summary>How often buffered values are flushed in the background; <see cref="TimeSpan.Zero"/> or less disables interval flushing (flush on size and on FlushAsync only). Default 1 s.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many buffered metric values the run may hold before synchronous <c>Log*</c> calls throw <see cref="MlopsBufferFullException"/>. Default 100,000.</summary>
    public int BufferCapacity { get; init; } = 100_000;

    /// <summary>How many metric batches may be in flight at once; default from the backend (MLflow 4).</summary>
    public int? MaxParallelBatches { get; init; }
}
