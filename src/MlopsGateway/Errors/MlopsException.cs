namespace MlopsGateway;

/// <summary>
/// The base of every error the gateway raises for a backend call: carries which backend and operation
/// failed, the HTTP status, the backend's own error code and the request id, like Azure's
/// <c>RequestFailedException</c>. Catch a subclass to handle one kind of failure. Messages never contain secrets.
/// </summary>
public class MlopsException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">An actionable message.</param>
    /// <param name="details">Where and how the call failed.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public MlopsException(string message, MlopsErrorDetails? details = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Details = details ?? new MlopsErrorDetails();
    }

    /// <summary>Where and how the call failed.</summary>
    public MlopsErrorDetails Details { get; private set; }

    /// <summary>
    /// Fills in the backend and operation the exception was raised in when its thrower did not know them (a
    /// client-side refusal deep in a validation helper). The operation scope calls this once for every gateway
    /// exception passing through it, so no throw site has to.
    /// </summary>
    internal void AddContext(string backend, string operation)
    {
        if (Details.Backend is null || Details.Operation is null)
        {
            Details = Details with { Backend = Details.Backend ?? backend, Operation = Details.Operation ?? operation };
        }
    }

    /// <summary>The configured name of the backend the call went to, when known.</summary>
    public string? Backend => Details.Backend;

    /// <summary>The gateway operation, for example <c>Runs.Get</c>.</summary>
    public string? Operation => Details.Operation;

    /// <summary>The HTTP status the server answered with; <see langword="null"/> for client-side and transport failures.</summary>
    public int? Status => Details.Status;

    /// <summary>The backend's own error code (MLflow <c>RESOURCE_DOES_NOT_EXIST</c>, a gRPC code for KFP).</summary>
    public string? ErrorCode => Details.ErrorCode;

    /// <summary>The request id the server or gateway assigned, for correlating with server logs.</summary>
    public string? RequestId => Details.RequestId;
}

/// <summary>The context of a failed call, attached to every <see cref="MlopsException"/>.</summary>
public sealed record MlopsErrorDetails
{
    /// <summary>The configured backend name.</summary>
    public string? Backend { get; init; }

    /// <summary>The gateway operation (<c>{SubClient}.{Method}</c>).</summary>
    public string? Operation { get; init; }

    /// <summary>The HTTP status.</summary>
    public int? Status { get; init; }

    /// <summary>The backend's error code.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The request id.</summary>
    public string? RequestId { get; init; }
}

/// <summary>The object does not exist (HTTP 404, MLflow <c>RESOURCE_DOES_NOT_EXIST</c>, gRPC 5, an unknown alias).</summary>
public class MlopsNotFoundException(string message, MlopsErrorDetails? details = null, Exception? innerException = null)
    : MlopsException(message, details, innerException);

/// <summary>
/// The server has no such endpoint: it answered 404 or 405 with a page that is not its API's JSON (or an adapter
/// recognised its "invalid route" answer). Almost always configuration — a wrong <c>BaseUrl</c> path prefix, a
/// proxy in front of the server, or a server version without this API — not a missing object: catch it before
/// <see cref="MlopsNotFoundException"/> when "not found" means "create it".
/// </summary>
public class MlopsEndpointNotFoundException(string message, Uri? requestUri, MlopsErrorDetails? details = null, Exception? innerException = null)
    : MlopsNotFoundException(message, details, innerException)
{
    /// <summary>The URL that was tried (without its query string), when known.</summary>
    public Uri? RequestUri { get; } = requestUri;
}

/// <summary>The object already exists or conflicts with the current state (HTTP 409, MLflow <c>RESOURCE_ALREADY_EXISTS</c>, a param re-logged with another value).</summary>
public class MlopsConflictException(string message, MlopsErrorDetails? details = null, Exception? innerException = null)
    : MlopsException(message, details, innerException);

/// <summary>The request was invalid: rejected by the server (400/422) or by the gateway's own check of a documented limit before sending.</summary>
public class MlopsValidationException(string message, MlopsErrorDetails? details = null, Exception? innerException = null)
    : MlopsException(message, details, innerException);

/// <summary>The server did not accept the credentials (HTTP 401, or a 403 for bad credentials where the platform answers so).</summary>
public class MlopsAuthenticationException(string message, MlopsErrorDetails? details = null, Exception? innerException = null)
    : MlopsException(message, details, innerException);

/// <summary>The credentials are valid but not allowed to do this (HTTP 403).</summary>
public class MlopsAuthorizationException(string message, MlopsErrorDetails? details = null, Exception? innerException = null)
    : MlopsException(message, details, innerException);

/// <summary>The server throttled the call (HTTP 429) and retries were exhausted.</summary>
public class MlopsRateLimitedException(string message, TimeSpan? retryAfter, MlopsErrorDetails? details = null, Exception? innerException = null)
    : MlopsException(message, details, innerException)
{
    /// <summary>How long the server asked the caller to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The server could not be reached or failed (5xx, transport error, timeout) after retries, or the circuit breaker is open.</summary>
public class MlopsUnavailableException(string message, MlopsErrorDetails? details = null, Exception? innerException = null)
    : MlopsException(message, details, innerException);

/// <summary>
/// The backend cannot do this operation. Thrown before any request is sent; the message names the
/// backend, the operation and an alternative (for example routing pipelines to Airflow).
/// </summary>
public class MlopsNotSupportedException : MlopsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="backend">The configured backend name.</param>
    /// <param name="operation">The operation, for example <c>Pipelines.Trigger</c>.</param>
    /// <param name="reason">Why not, and what to do instead.</param>
    public MlopsNotSupportedException(string backend, string operation, string reason)
        : base($"{operation} is not supported by backend '{backend}': {reason}",
            new MlopsErrorDetails { Backend = backend, Operation = operation })
    {
        Reason = reason;
    }

    /// <summary>Creates the exception for a server that answered "not implemented" (HTTP 501) or a version that lacks the operation.</summary>
    /// <param name="message">An actionable message.</param>
    /// <param name="details">Where the call went.</param>
    public MlopsNotSupportedException(string message, MlopsErrorDetails details)
        : base(message, details)
    {
        Reason = message;
    }

    /// <summary>Why the operation is unsupported and what to use instead.</summary>
    public string Reason { get; }
}

/// <summary>A synchronous <c>Log*</c> call found the run's buffer full; use the <c>Log*Async</c> overloads to wait for room instead.</summary>
public class MlopsBufferFullException(string message) : MlopsException(message);
