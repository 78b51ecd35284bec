namespace MlopsGateway;

/// <summary>
/// Params, metrics and tags to log to a run in one call. Adapters split it into as many requests as
/// the platform's batch limits require (see <see cref="BackendLimits"/>); params and tags are applied
/// in order, so the last write of a tag key wins.
/// </summary>
public sealed record RunLogBatch
{
    /// <summary>Parameters to log. A param is immutable once logged: the same value again is accepted, a different value is a conflict.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Params { get; init; } = [];

    /// <summary>Metric values to log.</summary>
    public IReadOnlyList<MetricPoint> Metrics { get; init; } = [];

    /// <summary>Tags to set, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>Whether there is nothing to send.</summary>
    public bool IsEmpty => Params.Count == 0 && Metrics.Count == 0 && Tags.Count == 0;
}
