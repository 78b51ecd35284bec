using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using MlopsGateway.Http;

namespace MlopsGateway.Metaflow.Api;

/// <summary>
/// Reads the service's list answers (Refit endpoints returning the raw answer) element by element with constant
/// memory: a big flow's run list is one array of tens of MB on 2.5.1. Every failure is the gateway's: a non-success
/// answer is mapped by <see cref="MetaflowErrorParser"/>, a body that is not the expected array is an
/// <see cref="MlopsException"/>, a connection lost mid-body <see cref="MlopsUnavailableException"/>.
/// </summary>
/// <remarks>
/// Refit 17 can return <see cref="IAsyncEnumerable{T}"/> directly, but that path lets a refused connection surface as
/// <see cref="HttpRequestException"/> and a malformed element as <see cref="System.Text.Json.JsonException"/>, so every
/// list goes through <see cref="ResponseStreams.ReadJsonArrayAsync"/> instead.
/// </remarks>
internal sealed class MetaflowLists(BackendContext context)
{
    /// <summary>The response header of the cursor paging added after 2.5.1; its absence means the list was complete.</summary>
    public const string NextCursorHeader = "X-Next-Cursor";

    /// <summary>Streams one list answer.</summary>
    public IAsyncEnumerable<T> ReadAsync<T>(Func<CancellationToken, Task<HttpResponseMessage>> send, JsonTypeInfo<T> element, CancellationToken ct)
        => ResponseStreams.ReadJsonArrayAsync(context, send, element, MetaflowErrorParser.Instance, onHeaders: null, ct);

    /// <summary>
    /// Streams a list the service may page: each answer's <c>X-Next-Cursor</c> is sent back as <c>_cursor</c> until
    /// an answer has none. 2.5.1 ignores <c>_limit</c> and sends the whole list in one answer.
    /// </summary>
    /// <param name="send">Sends one page request for a cursor (null for the first page).</param>
    /// <param name="element">The element type.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public async IAsyncEnumerable<T> ReadPagedAsync<T>(Func<string?, CancellationToken, Task<HttpResponseMessage>> send, JsonTypeInfo<T> element,
        [EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var current = cursor;
            string? next = null;
            var page = ResponseStreams.ReadJsonArrayAsync(context, c => send(current, c), element, MetaflowErrorParser.Instance,
                headers => next = headers.TryGetValues(NextCursorHeader, out var values) ? values.FirstOrDefault() : null, ct);
            await foreach (var item in page.ConfigureAwait(false))
            {
                yield return item;
            }
            cursor = next;
        }
        while (!string.IsNullOrEmpty(cursor));
    }
}
