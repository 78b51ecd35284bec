using System.Buffers;
using System.Net.Http.Headers;

namespace MlopsGateway.Http;

/// <summary>
/// Reads every answer inside the attempt that receives it, so the resilience pipeline's timeouts, retries and
/// transport rules cover bodies as well as headers (Refit sends with <see cref="HttpCompletionOption.ResponseHeadersRead"/>
/// and would otherwise read the body after the pipeline has returned). An answer the gateway reads whole (JSON, text)
/// is buffered once, in the content's own buffer, up to <see cref="ResilienceOptions.MaxResponseBytes"/>; an error
/// answer keeps at most <see cref="ErrorBodyLimit"/> bytes (the message and code are all the mapper needs); an answer
/// streamed to the caller (an endpoint returning a stream or the response itself) is handed on unread, behind
/// <see cref="ResilienceOptions.StreamReadTimeout"/>. Sits below authentication, so token exchanges and re-sent
/// attempts get the same treatment.
/// </summary>
internal sealed class ResponseBodyHandler(string backend, ResilienceOptions options, TimeProvider time) : DelegatingHandler
{
    /// <summary>The most bytes of an error body that are read.</summary>
    public const int ErrorBodyLimit = 64 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                response.Content = await ErrorPrefixAsync(response.Content, cancellationToken).ConfigureAwait(false);
            }
            else if (RequestMarks.For(request).StreamsAnswer)
            {
                response.Content = new StreamedAnswerContent(response.Content, backend, request.Method, options.StreamReadTimeout, time);
            }
            else
            {
                await response.Content.LoadIntoBufferAsync(options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            }
            return response;
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            response.Dispose();
            throw TooLarge(request, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private MlopsException TooLarge(HttpRequestMessage request, HttpResponseMessage response)
    {
        var details = MlopsErrors.Details(backend, (int)response.StatusCode, null, null);
        return MlopsErrors.Create(MlopsErrorKind.Other,
            $"{details.Operation ?? $"The {request.Method} request"} on backend '{backend}' returned HTTP {(int)response.StatusCode} with a body larger than " +
            $"Resilience:MaxResponseBytes ({options.MaxResponseBytes} bytes); the gateway stopped reading it. Raise Resilience:MaxResponseBytes if answers this large are expected.",
            details, retryAfter: null, inner: null);
    }

    /// <summary>Keeps the first <see cref="ErrorBodyLimit"/> bytes of an error body; a body that breaks off keeps what arrived (the status still decides).</summary>
    private static async Task<HttpContent> ErrorPrefixAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ErrorBodyLimit);
        var length = 0;
        try
        {
            try
            {
                var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    int read;
                    while (length < ErrorBodyLimit && (read = await stream.ReadAsync(buffer.AsMemory(length, ErrorBodyLimit - length), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        length += read;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                // The status is the answer; the body is only its explanation.
            }
            var prefix = new ByteArrayContent(buffer.AsSpan(0, length).ToArray());
            CopyHeaders(content.Headers, prefix.Headers);
            content.Dispose();
            return prefix;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies content headers to a replacement content, except the length (the replacement knows its own).</summary>
    internal static void CopyHeaders(HttpContentHeaders from, HttpContentHeaders to)
    {
        foreach (var (name, values) in from)
        {
            if (!string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                to.TryAddWithoutValidation(name, values);
            }
        }
    }
}
