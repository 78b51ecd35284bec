using System.Net;

namespace MlopsGateway.Http;

/// <summary>An answer body read into memory through a byte limit: reading stops, and fails, past the limit.</summary>
internal sealed class LimitedContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly long _limit;

    public LimitedContent(HttpContent inner, long limit)
    {
        _inner = inner;
        _limit = limit;
        ResponseBodyHandler.CopyHeaders(inner.Headers, Headers);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_inner.Headers.ContentLength > _limit)
        {
            throw new TooLargeException();
        }
        var source = await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var buffer = new byte[16 * 1024];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > _limit)
                {
                    throw new TooLargeException();
                }
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>The body passed the limit (deliberately not an <see cref="IOException"/>, which .NET would wrap as a transport failure).</summary>
    internal sealed class TooLargeException : Exception;
}
