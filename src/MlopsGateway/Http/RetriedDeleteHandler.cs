using System.Net;

namespace MlopsGateway.Http;

/// <summary>
/// Sits below the resilience handler and sees every attempt: a DELETE that meets 404 on a retry most likely
/// succeeded on an earlier attempt whose answer was lost, so it is reported as done (204).
/// </summary>
internal sealed class RetriedDeleteHandler : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<int> s_attempts = new("MlopsGateway.Attempts");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => request.Method == HttpMethod.Delete ? SendDeleteAsync(request, cancellationToken) : base.SendAsync(request, cancellationToken);

    private async Task<HttpResponseMessage> SendDeleteAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var attempt = (request.Options.TryGetValue(s_attempts, out var sent) ? sent : 0) + 1;
        request.Options.Set(s_attempts, attempt);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (attempt > 1 && response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return new HttpResponseMessage(HttpStatusCode.NoContent) { RequestMessage = request };
        }
        return response;
    }
}
