using System.Runtime.CompilerServices;

namespace MlopsGateway;

/// <summary>
/// Runs a composite's run-scoped call on its <see cref="RunRoute"/> and restates a not-supported error
/// from the run's own backend (<see cref="RunRoute.Explain"/>), whether the backend throws when called or
/// while a listing or stream is enumerated.
/// </summary>
internal static class RunScopedCalls
{
    public static async Task<T> InvokeAsync<T>(this RunRoute route, Func<IMlopsBackend, Task<T>> call)
    {
        try
        {
            return await call(route.Backend).ConfigureAwait(false);
        }
        catch (MlopsNotSupportedException ex) when (route.Explains(ex))
        {
            throw route.Explain(ex);
        }
    }

    public static Task InvokeAsync(this RunRoute route, Func<IMlopsBackend, Task> call)
        => route.InvokeAsync<bool>(async backend =>
        {
            await call(backend).ConfigureAwait(false);
            return true;
        });

    public static MlopsPageable<T> List<T>(this RunRoute route, Func<IMlopsBackend, MlopsPageable<T>> call)
        => new ExplainedPageable<T>(route.Start(call), route);

    public static IAsyncEnumerable<T> Stream<T>(this RunRoute route, Func<IMlopsBackend, IAsyncEnumerable<T>> call)
        => Explained(route.Start(call), route);

    private static TResult Start<TResult>(this RunRoute route, Func<IMlopsBackend, TResult> call)
    {
        try
        {
            return call(route.Backend);
        }
        catch (MlopsNotSupportedException ex) when (route.Explains(ex))
        {
            throw route.Explain(ex);
        }
    }

    private static async IAsyncEnumerable<T> Explained<T>(IAsyncEnumerable<T> source, RunRoute route, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var items = source.GetAsyncEnumerator(cancellationToken);
        await using (items.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await items.MoveNextAsync().ConfigureAwait(false);
                }
                catch (MlopsNotSupportedException ex) when (route.Explains(ex))
                {
                    throw route.Explain(ex);
                }
                if (!more)
                {
                    yield break;
                }
                yield return items.Current;
            }
        }
    }

    private sealed class ExplainedPageable<T>(MlopsPageable<T> inner, RunRoute route) : MlopsPageable<T>
    {
        public override IAsyncEnumerable<MlopsPage<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
            => Explained(inner.AsPages(continuationToken, pageSizeHint), route);

        public override IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
            => Explained(inner, route, cancellationToken).GetAsyncEnumerator(cancellationToken);
    }
}
