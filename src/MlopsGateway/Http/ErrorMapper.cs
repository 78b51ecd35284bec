using System.Net.Http.Headers;

namespace MlopsGateway.Http;

/// <summary>Turns a non-success response into the matching <see cref="MlopsException"/> (written once for every adapter).</summary>
internal static class ErrorMapper
{
    private static readonly string[] s_requestIdHeaders = ["x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid", "traceparent"];
    private const int MaxBodyInMessage = 512;

    public static async Task<MlopsException> FromResponseAsync(HttpResponseMessage response, BackendContext context, IBackendErrorParser? parser, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        string body;
        try
        {
            body = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            body = string.Empty;
        }
        var contentType = response.Content?.Headers.ContentType?.MediaType;
        var parsed = SafeParse(parser, response, contentType, body);
        var kind = parsed.Kind ?? (IsUnknownEndpoint(status, body) ? MlopsErrorKind.EndpointNotFound : MlopsErrors.KindForStatus(status));
        var retryAfter = RetryAfter(response.Headers, context.TimeProvider);
        var details = MlopsErrors.Details(context.Name, status, parsed.Code, RequestId(response));
        var tried = response.RequestMessage?.RequestUri is { IsAbsoluteUri: true } uri ? new Uri(uri.GetLeftPart(UriPartial.Path)) : null;
        var message = Auth.CredentialRedaction.Redact(
            BuildMessage(details, status, response.ReasonPhrase, parsed, body, contentType, retryAfter, kind == MlopsErrorKind.EndpointNotFound ? tried : null),
            response.RequestMessage, context.Options);
        return MlopsErrors.Create(kind, message, details, retryAfter, inner: null, tried);
    }

    /// <summary>The wait a <c>Retry-After</c> header asks for (seconds or an HTTP date, read on <paramref name="time"/>), or null.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, TimeProvider time)
    {
        var header = headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>
    /// A 404 or 405 whose body is not JSON (whatever its content type claims: metaflow-service sends JSON, even
    /// JSON strings, as text/plain): the server's or a proxy's page for a route it does not have, not an API's
    /// "no such object".
    /// </summary>
    private static bool IsUnknownEndpoint(int status, string body)
    {
        if (status is not (404 or 405) || string.IsNullOrWhiteSpace(body))
        {
            return false;
        }
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(body);
            return false;
        }
        catch (System.Text.Json.JsonException)
        {
            return true;
        }
    }

    private static BackendError SafeParse(IBackendErrorParser? parser, HttpResponseMessage response, string? contentType, string body)
    {
        if (parser is null)
        {
            return new BackendError(null, null);
        }
        try
        {
            return parser.Parse(response.StatusCode, contentType, body);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return new BackendError(null, null);
        }
    }

    private static string? RequestId(HttpResponseMessage response)
    {
        foreach (var name in s_requestIdHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                return values.FirstOrDefault();
            }
        }
        return null;
    }

    private static string BuildMessage(MlopsErrorDetails details, int status, string? reason, BackendError parsed, string body, string? contentType, TimeSpan? retryAfter, Uri? unknownEndpoint)
    {
        var what = details.Operation ?? "The request";
        var text = parsed.Message;
        if (string.IsNullOrWhiteSpace(text) && !string.IsNullOrWhiteSpace(body) && contentType is not "text/html" && unknownEndpoint is null)
        {
            text = body.Length > MaxBodyInMessage ? body[..MaxBodyInMessage] + "…" : body;
        }
        var code = parsed.Code is null ? "" : $" {parsed.Code}";
        var hint = unknownEndpoint is not null
            ? $" The server has no {(status == 405 ? "such method at" : "endpoint")} {unknownEndpoint}: check BaseUrl (including any path prefix) and that the server's version has this API."
            : status switch
        {
            401 => " Check the backend's Auth settings (credentials are never logged).",
            403 => " The credentials were accepted but lack permission, or were rejected (some servers answer 403 for bad credentials).",
            429 => retryAfter is { } r ? $" The server asked to retry after {r.TotalSeconds:0.#} s." : " The server is throttling requests.",
            _ => "",
        };
        var detail = string.IsNullOrWhiteSpace(text) ? "" : ": " + text.Trim().TrimEnd('.');
        return $"{what} failed on backend '{details.Backend}': HTTP {status} {reason}{code}{detail}.{hint}";
    }
}
