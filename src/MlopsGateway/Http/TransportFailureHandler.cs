namespace MlopsGateway.Http;

/// <summary>
/// The outermost handler of a backend client: what the resilience pipeline finally gives up on — a transport
/// failure, a timeout, an open circuit — leaves as <see cref="MlopsUnavailableException"/>, whichever way the adapter
/// sent the request (a Refit method with or without an answer, a hand-built request). The caller's own cancellation
/// stays an <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class TransportFailureHandler(string backend) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (TransportErrors.IsTransport(ex))
        {
            throw TransportErrors.Unavailable(backend, request.Method, ex);
        }
    }
}
