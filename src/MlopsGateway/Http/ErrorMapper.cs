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
        var kind = parsed.Kind ?? MlopsErrors.KindForStatus(status);
        var retryAfter = RetryAfter(response.Headers, context.TimeProvider);
        var details = MlopsErrors.Details(context.Name, status, parsed.Code, RequestId(response));
        var message = BuildMessage(details, status, response.ReasonPhrase, parsed, body, contentType, retryAfter);
        return MlopsErrors.Create(kind, message, details, retryAfter, inner: null);
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

    private static string BuildMessage(MlopsErrorDetails details, int status, string? reason, BackendError parsed, string body, string? contentType, TimeSpan? retryAfter)
    {
        var what = details.Operation ?? "The request";
        var text = parsed.Message;
        if (string.IsNullOrWhiteSpace(text) && !string.IsNullOrWhiteSpace(body) && contentType is not "text/html")
        {
            text = body.Length > MaxBodyInMessage ? body[..MaxBodyInMessage] + "…" : body;
        }
        var code = parsed.Code is null ? "" : $" {parsed.Code}";
        var hint = status switch
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
