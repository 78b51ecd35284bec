namespace MlopsGateway;

/// <summary>A streamed listing (one response read element by element, not page fetches): the whole enumeration is one operation span.</summary>
internal sealed class InstrumentedPageable<T>(MlopsPageable<T> inner, InstrumentedBackend backend, string operation, Action<OperationScope>? tag) : MlopsPageable<T>
{
    public override IAsyncEnumerable<MlopsPage<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        => backend.Stream(operation, tag, inner.AsPages(continuationToken, pageSizeHint), CancellationToken.None);

    public override IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        => backend.Stream(operation, tag, inner, cancellationToken).GetAsyncEnumerator(cancellationToken);
}
