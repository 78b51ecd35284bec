using System.Runtime.CompilerServices;

namespace MlopsGateway;

/// <summary>A streamed listing (one response read element by element, not page fetches): the whole enumeration is one operation span.</summary>
internal sealed class InstrumentedPageable<T>(MlopsPageable<T> inner, InstrumentedBackend backend, string operation, Action<OperationScope>? tag) : MlopsPageable<T>
{
    public override IAsyncEnumerable<MlopsPage<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        => Traced(inner.AsPages(continuationToken, pageSizeHint), CancellationToken.None);

    public override IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        => Traced(inner, cancellationToken).GetAsyncEnumerator(cancellationToken);

    private async IAsyncEnumerable<TItem> Traced<TItem>(IAsyncEnumerable<TItem> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var items = source.GetAsyncEnumerator(cancellationToken);
        using var scope = backend.Start(operation, tag);
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (Exception ex)
            {
                scope.Fail(ex);
                throw;
            }
            yield return items.Current;
        }
    }
}
