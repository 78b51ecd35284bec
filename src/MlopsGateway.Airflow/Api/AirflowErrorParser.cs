using System.Net;
using System.Text;
using System.Text.Json;
using MlopsGateway.Http;

namespace MlopsGateway.Airflow.Api;

/// <summary>
/// Reads Airflow error bodies of both dialects: v1 RFC 7807 problems (<c>{type, title, status, detail}</c>,
/// the error name at the end of <c>type</c>) and v2 (FastAPI) <c>{"detail": …}</c> where detail is a string,
/// a validation list (422, each item's <c>type</c> becoming the error code) or an object (409 unique-key
/// conflicts: <c>{reason, statement, orig_error}</c>, read as the reason and the database's complaint — the raw
/// SQL statement never reaches the message), plus the <c>{"error": …}</c> of an unknown v2 route. The core
/// turns the result into the exception type by status, except where <see cref="BackendError.Kind"/> is set
/// here: Airflow 3's 403 "Invalid JWT token" is a rejected credential (authentication), not a permission denial;
/// Airflow 3's 404 <c>{"error": "invalid route"}</c> and any 405 (FastAPI's <c>{"detail": "Method Not Allowed"}</c>,
/// connexion's problem) say the server has no such endpoint, not that an object is missing.
/// </summary>
/// <param name="username">The configured user name, named (never the secret) in credential errors.</param>
internal sealed class AirflowErrorParser(string? username) : IBackendErrorParser
{
    private const int MaxTextLength = 300;

    /// <inheritdoc/>
    public BackendError Parse(HttpStatusCode status, string? contentType, string body)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "null" : body);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new BackendError(null, $"Airflow answered {(int)status} with a non-JSON body: {Truncate(body.Trim())}");
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new BackendError(null, $"Airflow answered {(int)status}.");
        }
        var parsed = root.TryGetProperty("title", out _) || root.TryGetProperty("type", out _)
            ? ParseProblem(status, root)
            : ParseDetail(status, root);
        // Both servers answer a method a route does not take with 405 and JSON (which the core would read as the API's answer).
        return status == HttpStatusCode.MethodNotAllowed ? parsed with { Kind = MlopsErrorKind.EndpointNotFound } : parsed;
    }

    private BackendError ParseProblem(HttpStatusCode status, JsonElement root)
    {
        var type = AirflowMapping.GetString(root, "type");
        var code = type is not null && type.LastIndexOf("#section/Errors/", StringComparison.Ordinal) is var i and >= 0
            ? type[(i + "#section/Errors/".Length)..]
            : null;
        var title = AirflowMapping.GetString(root, "title");
        var detail = root.TryGetProperty("detail", out var d) ? DetailText(d) : null;
        var message = detail is null ? title ?? $"HTTP {(int)status}" : title is null ? detail : $"{title}: {detail}";
        if (status == HttpStatusCode.Forbidden && detail is null && code == "PermissionDenied")
        {
            // Airflow 2.9.1+ with AUTH_ROLE_PUBLIC set answers wrong, unknown and missing credentials with
            // exactly this body (recorded against 2.10.3), indistinguishable from a real permission denial.
            return new BackendError(code,
                $"Airflow answered 403 Forbidden without detail. Airflow 2.9.1+ answers so for wrong, unknown or missing credentials " +
                $"(when AUTH_ROLE_PUBLIC is set) as well as for a user lacking permission: check Auth (user '{username ?? "(none)"}') " +
                "and the user's role.",
                MlopsErrorKind.Authentication);
        }
        if (status == HttpStatusCode.Unauthorized)
        {
            message = $"{message} — Airflow did not accept the credentials (user '{username ?? "(none)"}'); v1 needs the basic_auth API backend enabled.";
        }
        return new BackendError(code, message);
    }

    private BackendError ParseDetail(HttpStatusCode status, JsonElement root)
    {
        if (!root.TryGetProperty("detail", out var detail))
        {
            // Airflow 3 answers an unknown route under /api/v2 with 404 {"error": "invalid route"}.
            return AirflowMapping.GetString(root, "error") is { } error
                ? new BackendError(null, $"Airflow: {error} (the server has no such endpoint; check BaseUrl and ApiVersion)",
                    status == HttpStatusCode.NotFound ? MlopsErrorKind.EndpointNotFound : null)
                : new BackendError(null, $"Airflow answered {(int)status}: {Truncate(root.GetRawText())}");
        }
        switch (detail.ValueKind)
        {
            case JsonValueKind.Array:
                var problems = detail.EnumerateArray().Select(ValidationItem).ToList();
                var type = detail.EnumerateArray().Select(i => AirflowMapping.GetString(i, "type")).FirstOrDefault(t => t is not null);
                return new BackendError(type, "Airflow rejected the request: " + string.Join("; ", problems));
            case JsonValueKind.Object:
                return Conflict(detail);
            default:
                var text = DetailText(detail) ?? $"HTTP {(int)status}";
                if (status == HttpStatusCode.Forbidden && IsTokenRejection(text))
                {
                    // Airflow 3 answers a token it cannot verify (not signed by it, tampered, malformed) with 403, after
                    // the one fresh login the core's auth handler tries: the credential is wrong, not the permissions.
                    return new BackendError(null,
                        $"{text} — Airflow could not verify the bearer token, even a freshly issued one; check Auth:TokenUrl points at this server's /auth/token (user '{username ?? "(none)"}').",
                        MlopsErrorKind.Authentication);
                }
                return new BackendError(null, text);
        }
    }

    /// <summary>
    /// The 409 of a unique-key violation: <c>{reason, statement, orig_error}</c>. Says what collided (the database's
    /// own words, which name the columns) and never the SQL statement, which is long and shows the schema.
    /// </summary>
    private static BackendError Conflict(JsonElement detail)
    {
        var reason = AirflowMapping.GetString(detail, "reason");
        var database = AirflowMapping.GetString(detail, "orig_error");
        var message = AirflowMapping.GetString(detail, "message")
            ?? (reason, database) switch
            {
                (not null, not null) => $"{reason}: {database}",
                (not null, null) => reason,
                (null, not null) => database,
                _ => "the request conflicts with an existing object",
            };
        return new BackendError(reason, message);
    }

    private static bool IsTokenRejection(string detail)
        => detail.Contains("JWT", StringComparison.OrdinalIgnoreCase) || detail.Contains("token", StringComparison.OrdinalIgnoreCase);

    private static string ValidationItem(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return Truncate(item.GetRawText());
        }
        var sb = new StringBuilder();
        if (item.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array)
        {
            sb.AppendJoin('.', loc.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.String ? l.GetString() : l.GetRawText())).Append(": ");
        }
        sb.Append(AirflowMapping.GetString(item, "msg") ?? item.GetRawText());
        return sb.ToString();
    }

    private static string? DetailText(JsonElement detail) => detail.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => detail.GetString(),
        _ => Truncate(detail.GetRawText()),
    };

    private static string Truncate(string text) => text.Length <= MaxTextLength ? text : text[..MaxTextLength] + "…";
}
