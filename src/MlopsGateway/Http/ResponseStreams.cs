using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MlopsGateway.Http;

/// <summary>
/// Reads answers of Refit endpoints declared to return <see cref="HttpResponseMessage"/> — the one shape Refit
/// hands back unmapped — for what a typed return cannot express: a JSON array streamed element by element
/// together with a response header (Metaflow's <c>X-Next-Cursor</c>), or an answer whose result is a header
/// (Metaflow's service version on <c>/ping</c>).
/// </summary>
public static class ResponseStreams
{
    /// <summary>
    /// Returns <paramref name="response"/> when it is a success; otherwise disposes it and throws the mapped
    /// <see cref="MlopsException"/> (status, backend error code, request id), as a typed Refit endpoint would.
    /// </summary>
    /// <param name="context">The backend (for error stamping).</param>
    /// <param name="response">The answer of a Refit method returning <see cref="HttpResponseMessage"/>; the caller disposes a success.</param>
    /// <param name="errors">Reads the service's error bodies.</param>
    /// <param name="cancellationToken">Cancels reading an error body.</param>
    public static async Task<HttpResponseMessage> EnsureSuccessAsync(BackendContext context, HttpResponseMessage response, IBackendErrorParser? errors,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await ErrorMapper.FromResponseAsync(response, context, errors, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Streams a top-level JSON array element by element with constant memory, first handing the response
    /// headers to <paramref name="onHeaders"/>; a non-success answer becomes the mapped <see cref="MlopsException"/>,
    /// a body that is not a JSON array of <typeparamref name="T"/> an <see cref="MlopsException"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="context">The backend (for error stamping).</param>
    /// <param name="send">Sends the request: a Refit method returning <see cref="HttpResponseMessage"/>.</param>
    /// <param name="elementType">Source-generated metadata of the element type.</param>
    /// <param name="errors">Reads the service's error bodies.</param>
    /// <param name="onHeaders">Called once with the response headers before the first element.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public static async IAsyncEnumerable<T> ReadJsonArrayAsync<T>(BackendContext context, Func<CancellationToken, Task<HttpResponseMessage>> send,
        JsonTypeInfo<T> elementType, IBackendErrorParser? errors, Action<HttpResponseHeaders>? onHeaders,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(elementType);
        using var response = await EnsureSuccessAsync(context, await send(cancellationToken).ConfigureAwait(false), errors, cancellationToken).ConfigureAwait(false);
        onHeaders?.Invoke(response.Headers);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await using var enumerator = JsonSerializer.DeserializeAsyncEnumerable(stream, elementType, cancellationToken).GetAsyncEnumerator(cancellationToken);
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
                    throw TransportErrors.NotExpectedJson(context, response, ex);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    throw TransportErrors.Unavailable(context, response.RequestMessage?.Method ?? HttpMethod.Get, ex);
                }
                if (item is not null)
                {
                    yield return item;
                }
            }
        }
    }
}
