using System.Net;
using Polly;
using Polly.Timeout;

namespace MlopsGateway.Http;

/// <summary>
/// What the gateway re-sends and what counts against a backend's circuit breaker — written once, read by the
/// resilience pipeline of every backend service. Only safe requests are re-sent (see <see cref="EndpointMarks"/>);
/// streamed content never is; a status an endpoint declares permanent is final.
/// </summary>
internal static class RetryRules
{
    public static bool IsRetryableStatus(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>Whether <paramref name="outcome"/> of <paramref name="request"/> should be tried again.</summary>
    /// <param name="request">The request (null when the pipeline runs without one: nothing is retried).</param>
    /// <param name="outcome">The attempt's response or exception.</param>
    /// <param name="cancellation">The caller's token: a cancelled call is never retried.</param>
    /// <param name="time">The clock a <c>Retry-After</c> date is read on.</param>
    /// <param name="maxDelay">The longest wait the backend allows; a server asking for more gets its answer back to the caller.</param>
    public static bool ShouldRetry(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome, CancellationToken cancellation, TimeProvider time, TimeSpan maxDelay)
    {
        if (request is null || !RequestMarks.IsRewindable(request.Content))
        {
            return false;
        }
        var marks = RequestMarks.For(request);
        if (outcome.Exception is { } ex)
        {
            if (ex is OperationCanceledException && cancellation.IsCancellationRequested)
            {
                return false;
            }
            switch (ex)
            {
                // The credential could not be obtained (the token endpoint failed, was unreachable or throttled): the
                // request itself was never sent, so trying the attempt again is safe whatever the request does.
                case MlopsUnavailableException:
                    return true;
                case MlopsRateLimitedException throttled:
                    return throttled.RetryAfter is not { } asked || asked <= maxDelay;
            }
            if (IsIdempotent(request, marks))
            {
                return ex is HttpRequestException or TimeoutRejectedException or IOException;
            }
            // A request that creates something is re-sent only when it provably never left the client.
            return ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError };
        }

        var response = outcome.Result!;
        if (!IsRetryableStatus(response.StatusCode) || !IsIdempotent(request, marks) || marks.IsPermanent((int)response.StatusCode))
        {
            return false;
        }
        return ErrorMapper.RetryAfter(response.Headers, time) is not { } wait || wait <= maxDelay;
    }

    /// <summary>Whether the outcome is the backend failing (counted by its circuit breaker): transport errors, timeouts and 5xx/408 — not a 429, not a permanent answer.</summary>
    public static bool IsBackendFailure(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is { } ex)
        {
            return ex is HttpRequestException or TimeoutRejectedException or IOException or MlopsUnavailableException;
        }
        var response = outcome.Result!;
        if (!IsRetryableStatus(response.StatusCode) || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return false;
        }
        return request is null || !RequestMarks.For(request).IsPermanent((int)response.StatusCode);
    }

    private static bool IsIdempotent(HttpRequestMessage request, EndpointMarks marks) => marks.Retry switch
    {
        EndpointRetry.Idempotent => true,
        EndpointRetry.NotRetryable => false,
        _ => request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Put
             || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Options,
    };
}
