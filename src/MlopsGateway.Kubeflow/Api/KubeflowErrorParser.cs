using System.Net;
using System.Text.Json;
using MlopsGateway.Http;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// Reads the three error bodies a Kubeflow deployment sends: grpc-gateway's <c>{code, message, details}</c>
/// with a numeric gRPC code (the user-facing text is <c>details[0].message</c> when KFP adds it), the
/// plain-HTTP handlers' <c>{error_message, error_details}</c> (upload, upload_version, read-artifact) and the
/// Model Registry's <c>{code: "string", message}</c>; anything else (plain text, an HTML login page from
/// a proxy) becomes the message as-is and the HTTP status decides the exception type.
/// </summary>
internal sealed class KubeflowErrorParser : IBackendErrorParser
{
    public static KubeflowErrorParser Instance { get; } = new();

    public BackendError Parse(HttpStatusCode status, string? contentType, string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return new BackendError(null, null);
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (TryString(root, "error_message") is { } httpMessage)
                {
                    var details = TryString(root, "error_details");
                    var message = string.IsNullOrEmpty(details) || details == httpMessage ? httpMessage : $"{httpMessage} ({details})";
                    return new BackendError(null, message);
                }
                if (root.TryGetProperty("code", out var code))
                {
                    var message = TryString(root, "message");
                    if (code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var grpc))
                    {
                        return new BackendError(GrpcName(grpc), DetailMessage(root) ?? message, GrpcKind(grpc));
                    }
                    if (code.ValueKind == JsonValueKind.String)
                    {
                        return new BackendError(code.GetString(), message);
                    }
                }
                if (TryString(root, "message") is { } plain)
                {
                    return new BackendError(null, plain);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through to the raw text.
        }
        var text = body.Trim();
        if (contentType is "text/html" || text.StartsWith('<'))
        {
            // Istio or oauth2-proxy in front of KFP answers unauthenticated calls with its own (login) page.
            return new BackendError(null,
                "an HTML page answered instead of the Kubeflow API, usually the login page of the proxy in front of it (Istio, oauth2-proxy, Dex): " +
                "send a service-account token with audience pipelines.kubeflow.org (Auth:Type Bearer or TokenFile), or call the in-cluster API with the identity header (Auth:Type Headers).");
        }
        return new BackendError(null, text.Length > 500 ? text[..500] : text);
    }

    /// <summary>The gRPC status code to the gateway's error kind (null: let the HTTP status decide).</summary>
    public static MlopsErrorKind? GrpcKind(int code) => code switch
    {
        3 or 9 or 11 => MlopsErrorKind.Validation,   // InvalidArgument, FailedPrecondition, OutOfRange (all HTTP 400)
        5 => MlopsErrorKind.NotFound,
        6 or 10 => MlopsErrorKind.Conflict,          // AlreadyExists, Aborted
        7 => MlopsErrorKind.Authorization,
        16 => MlopsErrorKind.Authentication,
        8 => MlopsErrorKind.RateLimited,             // ResourceExhausted
        4 or 14 => MlopsErrorKind.Unavailable,       // DeadlineExceeded, Unavailable
        12 => MlopsErrorKind.NotSupported,           // Unimplemented
        _ => null,
    };

    /// <summary>The canonical gRPC code name (for <see cref="MlopsException.ErrorCode"/>).</summary>
    public static string GrpcName(int code) => code switch
    {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string? DetailMessage(JsonElement root)
    {
        if (root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
        {
            foreach (var detail in details.EnumerateArray())
            {
                if (detail.ValueKind == JsonValueKind.Object && TryString(detail, "message") is { Length: > 0 } message)
                {
                    return message;
                }
            }
        }
        return null;
    }

    private static string? TryString(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
