namespace MlopsGateway.Http;

/// <summary>Caps the requests in flight to one backend (<c>MaxConcurrentRequests</c>); one semaphore per backend, shared by its handler instances.</summary>
internal sealed class ConcurrencyLimitHandler(SemaphoreSlim limiter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            limiter.Release();
        }
    }
}
