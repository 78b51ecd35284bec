namespace MlopsGateway;

/// <summary>
/// Documented server limits a backend declares; the gateway splits batches to fit them and rejects
/// values the server would silently truncate, with a <see cref="MlopsValidationException"/> naming the
/// field and the limit. <see langword="null"/> means unlimited.
/// </summary>
public sealed record BackendLimits
{
    /// <summary>No limits beyond a 1000-metric flush batch and a page size of 1000.</summary>
    public static BackendLimits Default { get; } = new();

    /// <summary>Most metrics in one log-batch request (MLflow 1000).</summary>
    public int MaxMetricsPerBatch { get; init; } = 1000;

    /// <summary>Most params in one log-batch request (MLflow 100).</summary>
    public int MaxParamsPerBatch { get; init; } = 1000;

    /// <summary>Most tags in one log-batch request (MLflow 100).</summary>
    public int MaxTagsPerBatch { get; init; } = 1000;

    /// <summary>Most params + metrics + tags in one request (MLflow 1000).</summary>
    public int MaxEntitiesPerBatch { get; init; } = 3000;

    /// <summary>Largest request body in bytes, when the server caps it.</summary>
    public long? MaxRequestBytes { get; init; }

    /// <summary>Longest param, metric or tag key in characters (MLflow 250).</summary>
    public int? MaxKeyLength { get; init; }

    /// <summary>Longest param value in characters (MLflow 6000).</summary>
    public int? MaxParamValueLength { get; init; }

    /// <summary>Longest tag value in characters (MLflow 8000).</summary>
    public int? MaxTagValueLength { get; init; }

    /// <summary>Largest page the server serves (Airflow 100, KFP 200, MLflow 1000 for runs).</summary>
    public int MaxPageSize { get; init; } = 1000;

    /// <summary>The page size used when the caller gives none.</summary>
    public int DefaultPageSize { get; init; } = 100;

    /// <summary>How many log batches the run-logging helper keeps in flight by default.</summary>
    public int DefaultParallelBatches { get; init; } = 1;

    /// <summary>Clamps a caller's page-size hint into [1, <see cref="MaxPageSize"/>], using <see cref="DefaultPageSize"/> when absent.</summary>
    /// <param name="hint">The caller's hint.</param>
    public int ClampPageSize(int? hint) => Math.Clamp(hint ?? DefaultPageSize, 1, MaxPageSize);
}
