namespace MlopsGateway;

/// <summary>
/// Validates a <see cref="RunLogBatch"/> against a backend's <see cref="BackendLimits"/> and splits it
/// into request-sized batches — written once here so every adapter chunks and rejects the same way.
/// Tags and params keep their order; a batch never carries the same key twice, so a later write of a
/// key lands in a later request and wins.
/// </summary>
public static class RunLogBatchSplitter
{
    /// <summary>
    /// Throws <see cref="MlopsValidationException"/> naming the field and the limit for any key or value
    /// the server would reject or silently truncate.
    /// </summary>
    /// <param name="batch">The batch.</param>
    /// <param name="limits">The backend's limits.</param>
    public static void Validate(RunLogBatch batch, BackendLimits limits)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(limits);
        foreach (var (key, value) in batch.Params)
        {
            LimitChecks.Key("param", key, limits);
            LimitChecks.Value($"param '{key}' value", value, limits.MaxParamValueLength);
        }
        foreach (var (key, value) in batch.Tags)
        {
            LimitChecks.Key("tag", key, limits);
            LimitChecks.Value($"tag '{key}' value", value, limits.MaxTagValueLength);
        }
        foreach (var metric in batch.Metrics)
        {
            LimitChecks.Key("metric", metric.Key, limits);
        }
    }

    /// <summary>Validates, then splits into batches that each fit every count limit.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="limits">The backend's limits.</param>
    public static IReadOnlyList<RunLogBatch> Split(RunLogBatch batch, BackendLimits limits)
    {
        Validate(batch, limits);
        if (batch.IsEmpty)
        {
            return [];
        }

        var result = new List<RunLogBatch>();
        var parts = new List<KeyValuePair<string, string>>();
        var tags = new List<KeyValuePair<string, string>>();
        var metrics = new List<MetricPoint>();
        var paramKeys = new HashSet<string>(StringComparer.Ordinal);
        var tagKeys = new HashSet<string>(StringComparer.Ordinal);

        void Emit()
        {
            if (parts.Count + tags.Count + metrics.Count == 0)
            {
                return;
            }
            result.Add(new RunLogBatch { Params = parts.ToArray(), Tags = tags.ToArray(), Metrics = metrics.ToArray() });
            parts.Clear();
            tags.Clear();
            metrics.Clear();
            paramKeys.Clear();
            tagKeys.Clear();
        }

        int Entities() => parts.Count + tags.Count + metrics.Count;

        foreach (var param in batch.Params)
        {
            if (parts.Count >= limits.MaxParamsPerBatch || Entities() >= limits.MaxEntitiesPerBatch || paramKeys.Contains(param.Key))
            {
                Emit();
            }
            parts.Add(param);
            paramKeys.Add(param.Key);
        }
        foreach (var tag in batch.Tags)
        {
            if (tags.Count >= limits.MaxTagsPerBatch || Entities() >= limits.MaxEntitiesPerBatch || tagKeys.Contains(tag.Key))
            {
                Emit();
            }
            tags.Add(tag);
            tagKeys.Add(tag.Key);
        }
        foreach (var metric in batch.Metrics)
        {
            if (metrics.Count >= limits.MaxMetricsPerBatch || Entities() >= limits.MaxEntitiesPerBatch)
            {
                Emit();
            }
            metrics.Add(metric);
        }
        Emit();
        return result;
    }
}

/// <summary>Client-side checks of documented length limits, with messages naming the field and the limit.</summary>
public static class LimitChecks
{
    /// <summary>Rejects an empty key or one longer than <see cref="BackendLimits.MaxKeyLength"/>.</summary>
    /// <param name="what">What the key names (<c>param</c>, <c>tag</c>, <c>metric</c>).</param>
    /// <param name="key">The key.</param>
    /// <param name="limits">The backend's limits.</param>
    public static void Key(string what, string key, BackendLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (string.IsNullOrEmpty(key))
        {
            throw new MlopsValidationException($"A {what} key must not be empty.");
        }
        if (limits.MaxKeyLength is { } max && key.Length > max)
        {
            throw new MlopsValidationException(
                $"The {what} key '{key[..Math.Min(40, key.Length)]}…' is {key.Length} characters; the backend allows at most {max}.");
        }
    }

    /// <summary>Rejects a null value or one longer than <paramref name="max"/> (which the server would truncate silently).</summary>
    /// <param name="what">What the value is, for the message.</param>
    /// <param name="value">The value.</param>
    /// <param name="max">The limit, or null for none.</param>
    public static void Value(string what, string? value, int? max)
    {
        if (value is null)
        {
            throw new MlopsValidationException($"The {what} must not be null.");
        }
        if (max is { } limit && value.Length > limit)
        {
            throw new MlopsValidationException(
                $"The {what} is {value.Length} characters; the backend allows at most {limit} and would truncate it.");
        }
    }
}
