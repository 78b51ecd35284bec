using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MlopsGateway.Http;

/// <summary>
/// The one send-and-map helper every adapter's API class uses: sends a request through the backend's
/// configured <see cref="HttpClient"/> (auth, resilience, limiter already in its handler chain), maps
/// non-success responses with the adapter's <see cref="IBackendErrorParser"/>, turns transport failures
/// into <see cref="MlopsUnavailableException"/>, and reads JSON with source-generated metadata whatever
/// the response's content type. Request URIs are relative to the backend's base URL.
/// </summary>
public sealed class BackendHttp
{
    private readonly BackendContext _context;
    private readonly IBackendErrorParser? _errorParser;
    private readonly Func<HttpClient> _client;

    /// <summary>Creates the helper over the backend's named client.</summary>
    /// <param name="context">The backend.</param>
    /// <param name="errorParser">Reads the backend's error bodies; null maps by status only.</param>
    public BackendHttp(BackendContext context, IBackendErrorParser? errorParser = null)
        : this(context, errorParser, context is null ? null! : () => context.CreateHttpClient())
    {
    }

    /// <summary>Creates the helper over another client of the same backend (for example a second service with its own base URL).</summary>
    /// <param name="context">The backend (for error stamping and time).</param>
    /// <param name="errorParser">Reads the service's error bodies.</param>
    /// <param name="clientFactory">Creates the client per call.</param>
    public BackendHttp(BackendContext context, IBackendErrorParser? errorParser, Func<HttpClient> clientFactory)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(clientFactory);
        _context = context;
        _errorParser = errorParser;
        _client = clientFactory;
    }

    /// <summary>Sends the request and deserializes a 2xx JSON body; an empty body yields a default instance when <typeparamref name="T"/> allows it.</summary>
    /// <param name="request">The request (disposed by this call).</param>
    /// <param name="responseType">Source-generated metadata of the response type.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(responseType);
        using var response = await SendForResponseAsync(request, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                var value = await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken).ConfigureAwait(false);
                return value ?? throw new JsonException("The response body was JSON null.");
            }
            catch (JsonException ex)
            {
                throw Garbage(response, ex);
            }
        }
    }

    /// <summary>Sends the request and ignores a 2xx body.</summary>
    /// <param name="request">The request (disposed by this call).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await SendForResponseAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the request and returns a 2xx body as text.</summary>
    /// <param name="request">The request (disposed by this call).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<string> SendForTextAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await SendForResponseAsync(request, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a 2xx body as a stream (a download); dispose the stream to release the connection.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    public async Task<Stream> OpenReadAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await SendForResponseAsync(request.MarkStreamed(), cancellationToken).ConfigureAwait(false);
        try
        {
            var inner = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ResponseStream(inner, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Streams a top-level JSON array element by element with constant memory, whatever its size.</summary>
    /// <param name="request">The request.</param>
    /// <param name="elementType">Source-generated metadata of the element type.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public IAsyncEnumerable<T> StreamArrayAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> elementType, CancellationToken cancellationToken)
        => StreamArrayAsync(request, elementType, onHeaders: null, cancellationToken);

    /// <summary>
    /// Streams a top-level JSON array element by element, first handing the response headers to
    /// <paramref name="onHeaders"/> (a cursor header such as Metaflow's <c>X-Next-Cursor</c>).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="elementType">Source-generated metadata of the element type.</param>
    /// <param name="onHeaders">Called once with the response headers before the first element.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public async IAsyncEnumerable<T> StreamArrayAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> elementType,
        Action<System.Net.Http.Headers.HttpResponseHeaders>? onHeaders, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(elementType);
        ArgumentNullException.ThrowIfNull(request);
        using var response = await SendForResponseAsync(request.MarkStreamed(), cancellationToken).ConfigureAwait(false);
        onHeaders?.Invoke(response.Headers);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var items = JsonSerializer.DeserializeAsyncEnumerable(stream, elementType, cancellationToken);
            await using var enumerator = items.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                T? item;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                    item = enumerator.Current;
                }
                catch (JsonException ex)
                {
                    throw Garbage(response, ex);
                }
                if (item is not null)
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>
    /// Sends the request (headers read; body not buffered) and returns a 2xx response for the caller to
    /// read and dispose; any other status becomes the mapped exception, transport failures become
    /// <see cref="MlopsUnavailableException"/>.
    /// </summary>
    /// <param name="request">The request (disposed by this call once the response has been obtained or failed).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<HttpResponseMessage> SendForResponseAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using (request)
        {
            HttpResponseMessage response;
            var client = _client();
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (TransportErrors.IsTransport(ex))
            {
                throw TransportErrors.Unavailable(_context, request.Method, ex);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            using (response)
            {
                throw await ErrorMapper.FromResponseAsync(response, _context, _errorParser, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private MlopsException Garbage(HttpResponseMessage response, JsonException ex) => TransportErrors.NotExpectedJson(_context, response, ex);

    /// <summary>A response body stream that disposes its response (and so its connection) with it.</summary>
    private sealed class ResponseStream(Stream inner, HttpResponseMessage response) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
