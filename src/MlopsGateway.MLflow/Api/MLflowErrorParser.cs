using System.Net;
using System.Text.Json;
using MlopsGateway.Http;

namespace MlopsGateway.MLflow.Api;

/// <summary>
/// Reads MLflow error answers: the JSON <c>{"error_code","message"}</c> body of tracking and registry
/// errors, Flask's HTML 404/405 pages, and the plain-text 401/403 bodies of the basic-auth app. Decides
/// the kind where the error code says more than the status: 400 <c>RESOURCE_ALREADY_EXISTS</c> and
/// the rename-onto-existing SQL uniqueness error are conflicts, an unknown alias (400) is not-found, a
/// changed param value is a conflict, and the 500 for a missing artifact is not-found. Raw SQL and
/// server file-system paths are kept out of messages.
/// </summary>
internal sealed class MLflowErrorParser : IBackendErrorParser
{
    public static MLflowErrorParser Instance { get; } = new();

    public BackendError Parse(HttpStatusCode status, string? contentType, string body)
    {
        var text = body.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                var error = JsonSerializer.Deserialize(text, MLflowJsonContext.Default.ErrorResponse);
                if (error?.ErrorCode is { } code)
                {
                    return FromCode(code, error.Message ?? string.Empty);
                }
            }
            catch (JsonException)
            {
                // Not an MLflow error body after all: fall through to the text handling.
            }
        }
        if (text.StartsWith('<'))
        {
            return status switch
            {
                HttpStatusCode.NotFound => new BackendError(null,
                    "the server answered Flask's HTML 404 page for an unknown route", MlopsErrorKind.EndpointNotFound),
                HttpStatusCode.MethodNotAllowed => new BackendError(null,
                    "the route does not accept this HTTP method (Flask's HTML 405 page); the server's MLflow version may not match the client", MlopsErrorKind.EndpointNotFound),
                _ => new BackendError(null, $"the server answered an HTML page (HTTP {(int)status})"),
            };
        }
        // The basic-auth app answers 401/403 in plain text ("You are not authenticated…", "Permission denied").
        return new BackendError(null, text.Length > 300 ? text[..300] + "…" : text);
    }

    private static BackendError FromCode(string code, string message) => code switch
    {
        "RESOURCE_ALREADY_EXISTS" or "ALREADY_EXISTS" or "RESOURCE_CONFLICT" or "ABORTED"
            => new BackendError(code, WithoutSql(message), MlopsErrorKind.Conflict),
        "RESOURCE_DOES_NOT_EXIST" or "NOT_FOUND" or "ENDPOINT_NOT_FOUND"
            => new BackendError(code, message, MlopsErrorKind.NotFound),
        "INVALID_PARAMETER_VALUE" when IsUnknownAlias(message)
            => new BackendError(code, message, MlopsErrorKind.NotFound),
        "INVALID_PARAMETER_VALUE" when message.StartsWith("Changing param values is not allowed", StringComparison.Ordinal)
            => new BackendError(code, message, MlopsErrorKind.Conflict),
        "INVALID_PARAMETER_VALUE" or "BAD_REQUEST" or "MALFORMED_REQUEST" when message.Contains("UNIQUE constraint failed", StringComparison.Ordinal)
            || message.Contains("IntegrityError", StringComparison.Ordinal) || message.Contains("duplicate key", StringComparison.OrdinalIgnoreCase)
            => new BackendError(code, "the name is already taken (the server reported a uniqueness violation)", MlopsErrorKind.Conflict),
        "INVALID_PARAMETER_VALUE" or "BAD_REQUEST" or "MALFORMED_REQUEST" or "INVALID_STATE_TRANSITION"
            => new BackendError(code, message, MlopsErrorKind.Validation),
        "UNAUTHENTICATED" or "CUSTOMER_UNAUTHORIZED" => new BackendError(code, message, MlopsErrorKind.Authentication),
        "PERMISSION_DENIED" => new BackendError(code, message, MlopsErrorKind.Authorization),
        "REQUEST_LIMIT_EXCEEDED" or "RESOURCE_EXHAUSTED" => new BackendError(code, message, MlopsErrorKind.RateLimited),
        "NOT_IMPLEMENTED" or "FEATURE_DISABLED" => new BackendError(code, message, MlopsErrorKind.NotSupported),
        "TEMPORARILY_UNAVAILABLE" or "SERVICE_UNDER_MAINTENANCE" or "WORKSPACE_TEMPORARILY_UNAVAILABLE" or "DEADLINE_EXCEEDED"
            => new BackendError(code, message, MlopsErrorKind.Unavailable),
        "INTERNAL_ERROR" when IsMissingArtifact(message)
            => new BackendError(code, "the artifact does not exist in the server's artifact store", MlopsErrorKind.NotFound),
        _ => new BackendError(code, message),
    };

    /// <summary>2.17.2: <c>Registered model alias nope not found.</c> (400, not 404).</summary>
    private static bool IsUnknownAlias(string message)
        => message.StartsWith("Registered model alias ", StringComparison.Ordinal) && message.TrimEnd('.').EndsWith(" not found", StringComparison.Ordinal);

    /// <summary>The proxied download's 500 for a file that is not there (local store: Errno 2; S3: NoSuchKey/404).</summary>
    private static bool IsMissingArtifact(string message)
        => message.Contains("while downloading", StringComparison.Ordinal)
           && (message.Contains("No such file or directory", StringComparison.Ordinal)
               || message.Contains("NoSuchKey", StringComparison.Ordinal)
               || message.Contains("Not Found", StringComparison.OrdinalIgnoreCase)
               || message.Contains("does not exist", StringComparison.OrdinalIgnoreCase));

    /// <summary>2.17.2 appends the SQL error to duplicate-name messages: keep only the sentence before it.</summary>
    private static string WithoutSql(string message)
    {
        var cut = message.IndexOf(" Error:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
