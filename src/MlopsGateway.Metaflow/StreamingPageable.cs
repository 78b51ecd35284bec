using System.Globalization;
using System.Runtime.CompilerServices;

namespace MlopsGateway.Metaflow;

/// <summary>
/// A listing over a streamed JSON array: <c>await foreach</c> yields element by element as the body
/// arrives, never holding the listing in memory. <see cref="AsPages"/> cuts the stream into pages; the
/// service (2.5.1) has no server-side position, so a continuation token <c>skip:N</c> resumes by
/// re-reading the listing and skipping the first N items.
/// </summary>
internal sealed class StreamingPageable<T>(Func<CancellationToken, IAsyncEnumerable<T>> source, int defaultPageSize, CancellationToken cancellationToken)
    : MlopsPageable<T>(cancellationToken)
{
    private const string SkipPrefix = "skip:";

    public override async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, cancellationToken);
        await foreach (var item in source(linked.Token).WithCancellation(linked.Token).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    public override IAsyncEnumerable<MlopsPage<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        => PagesAsync(ParseSkip(continuationToken), Math.Max(1, pageSizeHint ?? defaultPageSize), CancellationToken);

    private async IAsyncEnumerable<MlopsPage<T>> PagesAsync(long skip, int pageSize, [EnumeratorCancellation] CancellationToken ct)
    {
        var seen = 0L;
        var page = new List<T>(pageSize);
        await foreach (var item in source(ct).WithCancellation(ct).ConfigureAwait(false))
        {
            if (seen++ < skip)
            {
                continue;
            }
            page.Add(item);
            if (page.Count == pageSize)
            {
                yield return new MlopsPage<T>(page, SkipPrefix + seen.ToString(CultureInfo.InvariantCulture));
                page = new List<T>(pageSize);
            }
        }
        yield return new MlopsPage<T>(page, null);
    }

    private static long ParseSkip(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }
        if (token.StartsWith(SkipPrefix, StringComparison.Ordinal)
            && long.TryParse(token.AsSpan(SkipPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var skip))
        {
            return skip;
        }
        throw MlopsGuard.Invalid($"'{token}' is not a continuation token of a Metaflow listing (expected 'skip:N').");
    }
}
