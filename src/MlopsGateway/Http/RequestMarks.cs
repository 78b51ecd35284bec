namespace MlopsGateway.Http;

/// <summary>
/// The retry and auth marks of a request on its way through the backend's handlers: read once per endpoint from
/// the <see cref="IdempotentAttribute"/>, <see cref="NotRetryableAttribute"/>, <see cref="PermanentStatusAttribute"/>
/// and <see cref="AnonymousAttribute"/> on the adapter's Refit interface (every adapter request is a Refit method).
/// </summary>
internal static class RequestMarks
{
    internal static EndpointMarks For(HttpRequestMessage request) => EndpointMarkRegistry.For(request);

    /// <summary>Whether the content can be sent again (buffered content yes; streamed content no).</summary>
    internal static bool IsRewindable(HttpContent? content) => content switch
    {
        null => true,
        StreamContent => false,
        MultipartContent multipart => multipart.All(IsRewindable),
        _ => true,
    };
}
