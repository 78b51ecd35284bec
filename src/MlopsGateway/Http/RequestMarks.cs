namespace MlopsGateway.Http;

/// <summary>
/// Per-request retry policy marks read by the core's resilience handler. GET, HEAD, PUT, DELETE and
/// OPTIONS are retried by default; POST and PATCH only when marked idempotent, or when the request
/// provably never reached the server. A request with streamed content is never retried.
/// </summary>
public static class RequestMarks
{
    internal static readonly HttpRequestOptionsKey<bool> IdempotentKey = new("MlopsGateway.Idempotent");
    internal static readonly HttpRequestOptionsKey<bool> NotRetryableKey = new("MlopsGateway.NotRetryable");
    internal static readonly HttpRequestOptionsKey<Func<HttpResponseMessage, bool>> PermanentKey = new("MlopsGateway.Permanent");

    /// <summary>Marks a POST or PATCH as safe to retry because it is read-only or idempotent (say why at the call site).</summary>
    /// <param name="request">The request.</param>
    public static HttpRequestMessage MarkIdempotent(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(IdempotentKey, true);
        return request;
    }

    /// <summary>Marks a request that must never be re-sent once it may have reached the server (it creates something).</summary>
    /// <param name="request">The request.</param>
    public static HttpRequestMessage MarkNotRetryable(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(NotRetryableKey, true);
        return request;
    }

    /// <summary>Marks responses for which <paramref name="isPermanent"/> is true as final: they are mapped to an exception, not retried.</summary>
    /// <param name="request">The request.</param>
    /// <param name="isPermanent">Recognises a permanent failure (for example MLflow's 500 for a missing artifact).</param>
    public static HttpRequestMessage MarkPermanentResponse(this HttpRequestMessage request, Func<HttpResponseMessage, bool> isPermanent)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(isPermanent);
        request.Options.Set(PermanentKey, isPermanent);
        return request;
    }

    internal static bool IsIdempotent(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(NotRetryableKey, out var never) && never)
        {
            return false;
        }
        if (request.Options.TryGetValue(IdempotentKey, out var marked) && marked)
        {
            return true;
        }
        var m = request.Method;
        return m == HttpMethod.Get || m == HttpMethod.Head || m == HttpMethod.Put || m == HttpMethod.Delete || m == HttpMethod.Options;
    }

    internal static bool IsNeverRetried(HttpRequestMessage request)
        => request.Options.TryGetValue(NotRetryableKey, out var never) && never;

    internal static bool IsPermanent(HttpRequestMessage request, HttpResponseMessage response)
        => request.Options.TryGetValue(PermanentKey, out var predicate) && predicate(response);

    /// <summary>Whether the content can be sent again (buffered content yes; streamed content no).</summary>
    internal static bool IsRewindable(HttpContent? content) => content switch
    {
        null => true,
        StreamContent => false,
        MultipartContent multipart => multipart.All(IsRewindable),
        _ => true,
    };
}
