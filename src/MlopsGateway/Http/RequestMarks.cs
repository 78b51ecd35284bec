namespace MlopsGateway.Http;

/// <summary>
/// Per-request retry marks for requests an adapter builds by hand (where Refit cannot express an endpoint).
/// Endpoints declared on a Refit interface carry <see cref="IdempotentAttribute"/>,
/// <see cref="NotRetryableAttribute"/>, <see cref="PermanentStatusAttribute"/> or
/// <see cref="AnonymousAttribute"/> instead; both end up in the same rules of the resilience pipeline.
/// </summary>
public static class RequestMarks
{
    private static readonly HttpRequestOptionsKey<EndpointMarks> s_key = new("MlopsGateway.EndpointMarks");

    /// <summary>Marks a POST or PATCH as safe to retry because it is read-only or idempotent (say why at the call site).</summary>
    /// <param name="request">The request.</param>
    public static HttpRequestMessage MarkIdempotent(this HttpRequestMessage request) => Mark(request, m => m with { Retry = EndpointRetry.Idempotent });

    /// <summary>Marks a request that must never be re-sent once it may have reached the server (it creates something).</summary>
    /// <param name="request">The request.</param>
    public static HttpRequestMessage MarkNotRetryable(this HttpRequestMessage request) => Mark(request, m => m with { Retry = EndpointRetry.NotRetryable });

    /// <summary>Marks answers with <paramref name="statuses"/> as final: they are mapped to an exception, not retried.</summary>
    /// <param name="request">The request.</param>
    /// <param name="statuses">The statuses that are final for this request.</param>
    public static HttpRequestMessage MarkPermanentStatus(this HttpRequestMessage request, params int[] statuses) => Mark(request, m => m with { PermanentStatuses = statuses });

    /// <summary>Marks a hand-built request whose answer is streamed to the caller (not read whole, so not size-limited).</summary>
    internal static HttpRequestMessage MarkStreamed(this HttpRequestMessage request) => Mark(request, m => m with { StreamsAnswer = true });

    internal static EndpointMarks For(HttpRequestMessage request)
        => request.Options.TryGetValue(s_key, out var marks) ? marks : EndpointMarkRegistry.For(request);

    private static HttpRequestMessage Mark(HttpRequestMessage request, Func<EndpointMarks, EndpointMarks> change)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(s_key, change(For(request)));
        return request;
    }

    /// <summary>Whether the content can be sent again (buffered content yes; streamed content no).</summary>
    internal static bool IsRewindable(HttpContent? content) => content switch
    {
        null => true,
        StreamContent => false,
        MultipartContent multipart => multipart.All(IsRewindable),
        _ => true,
    };
}
