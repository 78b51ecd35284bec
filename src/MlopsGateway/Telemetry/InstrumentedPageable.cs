namespace MlopsGateway;

/// <summary>A streamed listing (one response read element by element, not page fetches): the whole enumeration is one operation span.</summary>
internal sealed class InstrumentedPageable<T>(MlopsPageable<T> inner, MlopsOperations operations, string operation, OperationSubject subject, bool joinEnclosing)
    : MlopsPageable<T>
{
    public override IAsyncEnumerable<MlopsPage<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        => operations.Stream(operation, subject, inner.AsPages(continuationToken, pageSizeHint), joinEnclosing, CancellationToken.None);

    public override IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        => operations.Stream(operation, subject, inner, joinEnclosing, cancellationToken).GetAsyncEnumerator(cancellationToken);
}
