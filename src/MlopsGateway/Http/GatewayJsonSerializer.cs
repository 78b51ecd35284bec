using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace MlopsGateway.Http;

/// <summary>
/// Refit's <see cref="SystemTextJsonContentSerializer"/> on an adapter's source-generated context, with the
/// wire rules every backend shares: request bodies are buffered (a known Content-Length, rewindable for retries)
/// and typed exactly <c>application/json</c> (some servers' specs declare the header as an exact value); a
/// response that is JSON <c>null</c> where an object is expected is not the expected JSON.
/// </summary>
internal sealed class GatewayJsonSerializer(JsonSerializerContext context) : IHttpContentSerializer, ISynchronousContentSerializer, IStreamingContentSerializer
{
    private readonly SystemTextJsonContentSerializer _inner = SystemTextJsonContentSerializer.ForContext(context);

    public HttpContent ToHttpContent<T>(T item) => ToHttpContentSynchronous(item);

    public HttpContent ToHttpContentSynchronous<T>(T item)
    {
        var content = _inner.ToHttpContentSynchronous(item);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public HttpContent ToStreamingHttpContent<T>(T item) => ToHttpContentSynchronous(item);

    public async Task<T?> FromHttpContentAsync<T>(HttpContent content, CancellationToken cancellationToken = default)
        => await _inner.FromHttpContentAsync<T>(content, cancellationToken).ConfigureAwait(false)
           ?? throw new JsonException("The response body was JSON null.");

    public IAsyncEnumerable<T?> DeserializeStreamAsync<T>(Stream stream, StreamingContentFormat format, CancellationToken cancellationToken = default)
        => _inner.DeserializeStreamAsync<T>(stream, format, cancellationToken);
}
