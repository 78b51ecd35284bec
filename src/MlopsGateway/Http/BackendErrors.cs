using System.Net;

namespace MlopsGateway.Http;

/// <summary>The kind of failure an error maps to; each kind is one <see cref="MlopsException"/> subclass.</summary>
public enum MlopsErrorKind
{
    /// <summary><see cref="MlopsValidationException"/>.</summary>
    Validation,
    /// <summary><see cref="MlopsAuthenticationException"/>.</summary>
    Authentication,
    /// <summary><see cref="MlopsAuthorizationException"/>.</summary>
    Authorization,
    /// <summary><see cref="MlopsNotFoundException"/>.</summary>
    NotFound,
    /// <summary>
    /// <see cref="MlopsEndpointNotFoundException"/>: the server has no such endpoint (a wrong <c>BaseUrl</c> path prefix, a
    /// proxy's page, a server version without the API). The core also decides this for a 404 or 405 answered with a
    /// body that is not JSON when the adapter's parser decided nothing.
    /// </summary>
    EndpointNotFound,
    /// <summary><see cref="MlopsConflictException"/>.</summary>
    Conflict,
    /// <summary><see cref="MlopsRateLimitedException"/>.</summary>
    RateLimited,
    /// <summary><see cref="MlopsUnavailableException"/>.</summary>
    Unavailable,
    /// <summary><see cref="MlopsNotSupportedException"/>: the backend (or this server version) cannot do the operation.</summary>
    NotSupported,
    /// <summary>Anything else: a plain <see cref="MlopsException"/>.</summary>
    Other,
}

/// <summary>What an adapter read out of an error response body.</summary>
/// <param name="Code">The backend's error code (MLflow <c>error_code</c>, a gRPC code), when present.</param>
/// <param name="Message">The backend's human-readable message, when present.</param>
/// <param name="Kind">The failure kind when the body decides it (e.g. MLflow 400 <c>RESOURCE_ALREADY_EXISTS</c> → Conflict); null maps by HTTP status.</param>
public sealed record BackendError(string? Code, string? Message, MlopsErrorKind? Kind = null);

/// <summary>Reads a backend's error body; each adapter implements it once and hands it to <c>BackendApi.Create</c>.</summary>
public interface IBackendErrorParser
{
    /// <summary>Extracts code, message and (optionally) the failure kind from an error response.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="contentType">The response media type, when sent.</param>
    /// <param name="body">The body text (possibly empty, HTML or plain text).</param>
    BackendError Parse(HttpStatusCode status, string? contentType, string body);
}

/// <summary>Creates gateway exceptions — the one place a failure kind becomes an exception type.</summary>
public static class MlopsErrors
{
    /// <summary>Creates the exception for <paramref name="kind"/>, stamped with the backend and the operation in flight.</summary>
    /// <param name="kind">The failure kind.</param>
    /// <param name="message">An actionable message without secrets.</param>
    /// <param name="context">The backend the call went to.</param>
    /// <param name="status">The HTTP status, when there was a response.</param>
    /// <param name="code">The backend's error code.</param>
    public static MlopsException Create(MlopsErrorKind kind, string message, BackendContext context, int? status = null, string? code = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Create(kind, message, Details(context.Name, status, code, requestId: null), retryAfter: null, inner: null);
    }

    internal static MlopsErrorDetails Details(string backend, int? status, string? code, string? requestId) => new()
    {
        Backend = backend,
        Operation = OperationScope.Current?.Operation,
        Status = status,
        ErrorCode = code,
        RequestId = requestId,
    };

    internal static MlopsException Create(MlopsErrorKind kind, string message, MlopsErrorDetails details, TimeSpan? retryAfter, Exception? inner, Uri? requestUri = null) => kind switch
    {
        MlopsErrorKind.EndpointNotFound => new MlopsEndpointNotFoundException(message, requestUri, details, inner),
        MlopsErrorKind.Validation => new MlopsValidationException(message, details, inner),
        MlopsErrorKind.Authentication => new MlopsAuthenticationException(message, details, inner),
        MlopsErrorKind.Authorization => new MlopsAuthorizationException(message, details, inner),
        MlopsErrorKind.NotFound => new MlopsNotFoundException(message, details, inner),
        MlopsErrorKind.Conflict => new MlopsConflictException(message, details, inner),
        MlopsErrorKind.RateLimited => new MlopsRateLimitedException(message, retryAfter, details, inner),
        MlopsErrorKind.Unavailable => new MlopsUnavailableException(message, details, inner),
        MlopsErrorKind.NotSupported => new MlopsNotSupportedException(message, details),
        _ => new MlopsException(message, details, inner),
    };

    internal static MlopsErrorKind KindForStatus(int status) => status switch
    {
        400 or 422 => MlopsErrorKind.Validation,
        401 => MlopsErrorKind.Authentication,
        403 => MlopsErrorKind.Authorization,
        404 or 410 => MlopsErrorKind.NotFound,
        409 or 412 => MlopsErrorKind.Conflict,
        429 => MlopsErrorKind.RateLimited,
        501 => MlopsErrorKind.NotSupported,
        408 or >= 500 => MlopsErrorKind.Unavailable,
        _ => MlopsErrorKind.Other,
    };
}
