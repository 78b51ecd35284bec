using System.Net;

namespace MlopsGateway.Http;

/// <summary>
/// An answer streamed to the caller: every read waits at most <see cref="ResilienceOptions.StreamReadTimeout"/> (on
/// the backend's clock) for the next bytes, and a read that stalls or breaks off fails with
/// <see cref="MlopsUnavailableException"/> rather than hanging or surfacing a raw transport exception.
/// </summary>
internal sealed class StreamedAnswerContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly string _backend;
    private readonly HttpMethod _method;
    private readonly TimeSpan _readTimeout;
    private readonly TimeProvider _time;
    private readonly MlopsErrorDetails _details;

    public StreamedAnswerContent(HttpContent inner, string backend, HttpMethod method, TimeSpan readTimeout, TimeProvider time)
    {
        _inner = inner;
        _backend = backend;
        _method = method;
        _readTimeout = readTimeout;
        _time = time;
        // Read failures happen after the operation has returned its stream: name the operation that opened it.
        _details = MlopsErrors.Details(backend, null, null, null);
        ResponseBodyHandler.CopyHeaders(inner.Headers, Headers);
        if (inner.Headers.ContentLength is { } length)
        {
            Headers.ContentLength = length;
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new GuardedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), this);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _inner.Headers.ContentLength ?? 0;
        return _inner.Headers.ContentLength is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class GuardedStream(Stream inner, StreamedAnswerContent owner) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var idle = new CancellationTokenSource(owner._readTimeout, owner._time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
            try
            {
                return await inner.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw Unavailable(new TimeoutException($"No bytes arrived for Resilience:StreamReadTimeout ({owner._readTimeout}).", ex));
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw Unavailable(ex);
            }
        }

        private MlopsUnavailableException Unavailable(Exception ex) => TransportErrors.Unavailable(owner._backend, owner._method, ex, owner._details);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
