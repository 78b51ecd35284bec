namespace MlopsGateway;

/// <summary>
/// A lazy listing: enumerate it with <c>await foreach</c> to stream every item while pages are fetched
/// on demand (constant memory), or call <see cref="AsPages"/> for page-at-a-time access that can resume
/// from a continuation token. Nothing is requested until enumeration starts.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public abstract class MlopsPageable<T> : IAsyncEnumerable<T>
{
    /// <summary>The cancellation token given when the listing was created; combined with the enumerator's.</summary>
    protected CancellationToken CancellationToken { get; }

    /// <summary>Creates the pageable.</summary>
    /// <param name="cancellationToken">Cancels every enumeration of this listing.</param>
    protected MlopsPageable(CancellationToken cancellationToken = default) => CancellationToken = cancellationToken;

    /// <summary>Creates a pageable over a page-fetching delegate.</summary>
    /// <param name="fetchPage">Fetches one page.</param>
    /// <param name="defaultPageSize">The page size used when <see cref="AsPages"/> gets no hint.</param>
    /// <param name="cancellationToken">Cancels every enumeration.</param>
    public static MlopsPageable<T> Create(MlopsPageFetcher<T> fetchPage, int defaultPageSize, CancellationToken cancellationToken = default)
        => new DelegatePageable<T>(fetchPage, defaultPageSize, cancellationToken);

    /// <summary>A listing with no items that never sends a request.</summary>
    public static MlopsPageable<T> Empty { get; } = Create((_, _, _) => Task.FromResult(new MlopsPage<T>([], null)), 1);

    /// <summary>
    /// A copy of this listing whose every page fetch runs through <paramref name="around"/> (telemetry opens
    /// one span per page this way), or null for a listing that is one stream rather than page fetches.
    /// </summary>
    internal virtual MlopsPageable<T>? WrapFetches(Func<Func<Task<MlopsPage<T>>>, Task<MlopsPage<T>>> around) => null;

    /// <summary>Enumerates the listing page by page, starting after <paramref name="continuationToken"/>.</summary>
    /// <param name="continuationToken">A token from an earlier page, or null to start at the beginning.</param>
    /// <param name="pageSizeHint">The preferred page size; clamped to the backend's limit.</param>
    public abstract IAsyncEnumerable<MlopsPage<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null);

    /// <inheritdoc/>
    public virtual async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, cancellationToken);
        await foreach (var page in AsPages().WithCancellation(linked.Token).ConfigureAwait(false))
        {
            foreach (var item in page.Values)
            {
                yield return item;
            }
        }
    }

    private sealed class DelegatePageable<TItem>(MlopsPageFetcher<TItem> fetchPage, int defaultPageSize, CancellationToken cancellationToken)
        : MlopsPageable<TItem>(cancellationToken)
    {
        internal override MlopsPageable<TItem>? WrapFetches(Func<Func<Task<MlopsPage<TItem>>>, Task<MlopsPage<TItem>>> around)
            => new DelegatePageable<TItem>((token, size, ct) => around(() => fetchPage(token, size, ct)), defaultPageSize, CancellationToken);

        public override async IAsyncEnumerable<MlopsPage<TItem>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        {
            var token = continuationToken;
            var size = pageSizeHint ?? defaultPageSize;
            do
            {
                CancellationToken.ThrowIfCancellationRequested();
                var page = await fetchPage(token, size, CancellationToken).ConfigureAwait(false);
                yield return page;
                token = string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken;
            }
            while (token is not null);
        }
    }
}

/// <summary>Helpers for consuming and composing <see cref="MlopsPageable{T}"/>.</summary>
public static class MlopsPageableExtensions
{
    /// <summary>A listing that keeps only items matching <paramref name="predicate"/> (a client-side filter); pages may come back shorter.</summary>
    /// <param name="source">The listing.</param>
    /// <param name="predicate">The filter.</param>
    public static MlopsPageable<T> Where<T>(this MlopsPageable<T> source, Func<T, bool> predicate)
        => new FilteredPageable<T>(source, predicate);

    private sealed class FilteredPageable<T>(MlopsPageable<T> inner, Func<T, bool> predicate) : MlopsPageable<T>
    {
        internal override MlopsPageable<T>? WrapFetches(Func<Func<Task<MlopsPage<T>>>, Task<MlopsPage<T>>> around)
            => inner.WrapFetches(around)?.Where(predicate);

        public override async IAsyncEnumerable<MlopsPage<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        {
            await foreach (var page in inner.AsPages(continuationToken, pageSizeHint).ConfigureAwait(false))
            {
                yield return page with { Values = page.Values.Where(predicate).ToList() };
            }
        }

        public override async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            await foreach (var item in inner.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (predicate(item))
                {
                    yield return item;
                }
            }
        }
    }
}
