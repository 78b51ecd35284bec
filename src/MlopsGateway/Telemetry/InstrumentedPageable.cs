using System.Runtime.CompilerServices;

namespace MlopsGateway;

/// <summary>A listing whose every page fetch runs inside its own operation span; a streamed listing (a custom pageable) is one span.</summary>
internal sealed class InstrumentedPageable<T>(MlopsPageable<T> inner, InstrumentedBackend backend, string operation, Action<OperationScope>? tag) : MlopsPageable<T>
{
    internal override bool FetchesPages => inner.FetchesPages;

    public override async IAsyncEnumerable<MlopsPage<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
    {
        await using var pages = inner.AsPages(continuationToken, pageSizeHint).GetAsyncEnumerator();
        while (true)
        {
            MlopsPage<T> page;
            using (var scope = backend.Start(operation, tag))
            {
                try
                {
                    if (!await pages.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (Exception ex)
                {
                    scope.Fail(ex);
                    throw;
                }
                page = pages.Current;
                scope.Activity?.SetTag("mlops.page.size", page.Values.Count);
            }
            yield return page;
        }
    }

    public override async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (inner.FetchesPages)
        {
            await foreach (var page in AsPages().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                foreach (var item in page.Values)
                {
                    yield return item;
                }
            }
            yield break;
        }

        await foreach (var item in StreamAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    private async IAsyncEnumerable<T> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var items = inner.GetAsyncEnumerator(cancellationToken);
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
