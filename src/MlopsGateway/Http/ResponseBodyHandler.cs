using System.Net.Http.Headers;

namespace MlopsGateway.Http;

/// <summary>
/// Reads every answer inside the attempt that receives it, so the resilience pipeline's timeouts, retries and
/// transport rules cover bodies as well as headers: an answer the gateway reads whole (JSON, text) is buffered here,
/// up to <see cref="ResilienceOptions.MaxResponseBytes"/>; an error answer keeps at most <see cref="ErrorBodyLimit"/>
/// bytes (the message and code are all the mapper needs); an answer streamed to the caller (a download, a streamed
/// list) is handed on unread, behind <see cref="ResilienceOptions.StreamReadTimeout"/>. Sits below authentication, so
/// token exchanges and re-sent attempts get the same treatment.
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
                var limited = new LimitedContent(response.Content, options.MaxResponseBytes);
                response.Content = limited;
                await limited.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }
            return response;
        }
        catch (LimitedContent.TooLargeException)
        {
            response.Dispose();
            var details = MlopsErrors.Details(backend, (int)response.StatusCode, null, null);
            throw MlopsErrors.Create(MlopsErrorKind.Other,
                $"{details.Operation ?? $"The {request.Method} request"} on backend '{backend}' returned HTTP {(int)response.StatusCode} with a body larger than " +
                $"Resilience:MaxResponseBytes ({options.MaxResponseBytes} bytes); the gateway stopped reading it. Raise Resilience:MaxResponseBytes if answers this large are expected.",
                details, retryAfter: null, inner: null);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Keeps the first <see cref="ErrorBodyLimit"/> bytes of an error body; a body that breaks off keeps what arrived (the status still decides).</summary>
    private static async Task<HttpContent> ErrorPrefixAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = new byte[ErrorBodyLimit];
        var length = 0;
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The status is the answer; the body is only its explanation.
        }
        var prefix = new ByteArrayContent(buffer, 0, length);
        CopyHeaders(content.Headers, prefix.Headers);
        content.Dispose();
        return prefix;
    }

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
