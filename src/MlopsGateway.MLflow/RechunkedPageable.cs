using System.Globalization;

namespace MlopsGateway.MLflow;

/// <summary>
/// A listing over MLflow endpoints that may answer with more items than asked for (metric history on 2.x
/// ignores <c>max_results</c>; artifact listings are not paged by the local store): every server page is
/// cut into pages of the requested size, so a page never exceeds the caller's size, without fetching the
/// server page again while enumerating. Continuation tokens are <c>{skip}:{server token}</c>, so
/// <see cref="AsPages"/> can resume from any page.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class RechunkedPageable<T>(MlopsPageFetcher<T> fetchServerPage, int defaultPageSize, CancellationToken cancellationToken)
    : MlopsPageable<T>(cancellationToken)
{
    public override async IAsyncEnumerable<MlopsPage<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
    {
        var size = Math.Max(1, pageSizeHint ?? defaultPageSize);
        var (skip, serverToken) = Parse(continuationToken);
        while (true)
        {
            CancellationToken.ThrowIfCancellationRequested();
            var server = await fetchServerPage(serverToken, size, CancellationToken).ConfigureAwait(false);
            var items = server.Values;
            var next = string.IsNullOrEmpty(server.ContinuationToken) ? null : server.ContinuationToken;
            do
            {
                var count = Math.Max(0, Math.Min(size, items.Count - skip));
                var chunk = new T[count];
                for (var i = 0; i < count; i++)
                {
                    chunk[i] = items[skip + i];
                }
                skip += count;
                var more = skip < items.Count;
                var token = more ? Format(skip, serverToken) : next is null ? null : Format(0, next);
                yield return new MlopsPage<T>(chunk, token);
            }
            while (skip < items.Count);
            if (next is null)
            {
                yield break;
            }
            (skip, serverToken) = (0, next);
        }
    }

    private static string Format(int skip, string? serverToken) => skip.ToString(CultureInfo.InvariantCulture) + ":" + serverToken;

    private static (int Skip, string? ServerToken) Parse(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (0, null);
        }
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !int.TryParse(token.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var skip))
        {
            throw MlopsGuard.Invalid($"'{token}' is not a continuation token of this listing.");
        }
        var server = token[(colon + 1)..];
        return (skip, server.Length == 0 ? null : server);
    }
}
