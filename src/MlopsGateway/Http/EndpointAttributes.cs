namespace MlopsGateway.Http;

/// <summary>
/// Marks a POST or PATCH endpoint of an adapter's Refit interface as safe to re-send like a GET, because
/// the server treats it as read-only or idempotent. GET, HEAD, PUT, DELETE and OPTIONS need no mark.
/// </summary>
/// <param name="reason">Why re-sending cannot duplicate a side effect (kept next to the endpoint for reviewers).</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class IdempotentAttribute(string reason) : Attribute
{
    /// <summary>Why re-sending cannot duplicate a side effect.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Marks an endpoint that creates something (a run, a model version, a DAG run): once the request may have
/// reached the server it is never sent again, whatever its method; it is re-sent only when it provably never
/// left the client (name resolution, connection or TLS failure).
/// </summary>
/// <param name="reason">What a second request would duplicate.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class NotRetryableAttribute(string reason) : Attribute
{
    /// <summary>What a second request would duplicate.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Declares answers with these HTTP statuses final for the endpoint: they are mapped to an exception and
/// neither retried nor counted by the circuit breaker (MLflow 2.x answers a missing artifact with 500).
/// </summary>
/// <param name="statuses">The statuses that are final for this endpoint.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class PermanentStatusAttribute(params int[] statuses) : Attribute
{
    /// <summary>The statuses that are final for this endpoint.</summary>
    public IReadOnlyList<int> Statuses { get; } = statuses;
}

/// <summary>
/// Declares an endpoint public: it is sent without the backend's credentials (Airflow 3's version and health
/// endpoints answer without a token, so they keep working while a token cannot be obtained). Configured extra
/// headers are still sent.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class AnonymousAttribute : Attribute;
