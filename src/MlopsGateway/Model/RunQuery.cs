namespace MlopsGateway;

/// <summary>
/// Filters and ordering for <see cref="IRunClient.ListAsync"/>. Every condition is ANDed. A backend
/// that cannot express a condition natively applies it client-side (see
/// <see cref="BackendCapabilities.ClientSideFilters"/>); a condition it cannot evaluate at all throws
/// <see cref="MlopsNotSupportedException"/> before any request.
/// </summary>
public sealed record RunQuery
{
    /// <summary>Only runs of these experiments (empty: all the backend allows).</summary>
    public IReadOnlyList<string> ExperimentIds { get; init; } = [];

    /// <summary>Only runs of this pipeline (DAG id, KFP pipeline id, flow name).</summary>
    public string? PipelineId { get; init; }

    /// <summary>Only runs in one of these normalized states (empty: any state).</summary>
    public IReadOnlyList<RunStatus> Statuses { get; init; } = [];

    /// <summary>Only runs that carry every one of these tags with exactly these values.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Only runs whose latest metric values satisfy every predicate.</summary>
    public IReadOnlyList<MetricPredicate> Metrics { get; init; } = [];

    /// <summary>Only runs whose params satisfy every predicate.</summary>
    public IReadOnlyList<ParamPredicate> Params { get; init; } = [];

    /// <summary>Only runs started at or after this instant.</summary>
    public DateTimeOffset? StartedAfter { get; init; }

    /// <summary>Only runs started before this instant.</summary>
    public DateTimeOffset? StartedBefore { get; init; }

    /// <summary>Sort keys, most significant first. Empty: the backend's default (usually newest first).</summary>
    public IReadOnlyList<RunOrdering> OrderBy { get; init; } = [];

    /// <summary>Page size hint; clamped to the backend's <see cref="BackendLimits.MaxPageSize"/>.</summary>
    public int? PageSize { get; init; }

    /// <summary>
    /// A filter in the backend's own language (an MLflow filter string, a KFP filter JSON), ANDed with the
    /// rest; backends without a filter language throw <see cref="MlopsNotSupportedException"/>.
    /// </summary>
    public string? NativeFilter { get; init; }
}

/// <summary>A comparison used by run predicates.</summary>
public enum ComparisonOperator
{
    /// <summary>Equal to.</summary>
    Equal,
    /// <summary>Not equal to.</summary>
    NotEqual,
    /// <summary>Strictly less than.</summary>
    LessThan,
    /// <summary>Less than or equal to.</summary>
    LessThanOrEqual,
    /// <summary>Strictly greater than.</summary>
    GreaterThan,
    /// <summary>Greater than or equal to.</summary>
    GreaterThanOrEqual,
}

/// <summary>A condition on a run's latest metric value.</summary>
/// <param name="Key">The metric name.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Value">The value compared against.</param>
public sealed record MetricPredicate(string Key, ComparisonOperator Operator, double Value);

/// <summary>A condition on a run's param (string comparison; only Equal and NotEqual are portable).</summary>
/// <param name="Key">The param name.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Value">The value compared against.</param>
public sealed record ParamPredicate(string Key, ComparisonOperator Operator, string Value);

/// <summary>The field a run listing is sorted on.</summary>
public enum RunSortField
{
    /// <summary>Start time.</summary>
    StartTime,
    /// <summary>End time.</summary>
    EndTime,
    /// <summary>Run name.</summary>
    Name,
    /// <summary>A metric's latest value; set <see cref="RunOrdering.Key"/>.</summary>
    Metric,
    /// <summary>A param's value; set <see cref="RunOrdering.Key"/>.</summary>
    Param,
}

/// <summary>One sort key of a <see cref="RunQuery"/>.</summary>
/// <param name="Field">The field.</param>
/// <param name="Descending">Largest or newest first.</param>
/// <param name="Key">The metric or param name when <paramref name="Field"/> is Metric or Param.</param>
public sealed record RunOrdering(RunSortField Field, bool Descending = true, string? Key = null);
