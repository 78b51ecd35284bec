namespace MlopsGateway;

/// <summary>One logged value of a metric. Values may be NaN or ±Infinity; adapters round-trip them.</summary>
/// <param name="Key">The metric name.</param>
/// <param name="Value">The value.</param>
/// <param name="Timestamp">When the value was measured (UTC, millisecond precision on most platforms).</param>
/// <param name="Step">The training step, 0 when not given.</param>
public sealed record MetricPoint(string Key, double Value, DateTimeOffset Timestamp, long Step = 0);
