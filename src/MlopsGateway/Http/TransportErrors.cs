using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace MlopsGateway.Http;

/// <summary>Turns failures without a usable answer — transport errors, timeouts, an open circuit, a body that is not the expected JSON — into gateway exceptions.</summary>
internal static class TransportErrors
{
    /// <summary>Whether <paramref name="exception"/> is a transport-level failure of sending (not the caller's cancellation).</summary>
    public static bool IsTransport(Exception exception)
        => exception is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or OperationCanceledException or IOException;

    public static MlopsUnavailableException Unavailable(BackendContext context, HttpMethod method, Exception exception)
        => Unavailable(context.Name, method, exception);

    /// <summary>The failure as <see cref="MlopsUnavailableException"/>, its reason in words a caller can act on.</summary>
    /// <param name="backend">The backend's name.</param>
    /// <param name="method">The request's method (named when no operation is running).</param>
    /// <param name="exception">The failure.</param>
    /// <param name="details">The details captured while the operation ran (a streamed answer fails after it returned); null reads them now.</param>
    public static MlopsUnavailableException Unavailable(string backend, HttpMethod method, Exception exception, MlopsErrorDetails? details = null)
    {
        details ??= MlopsErrors.Details(backend, null, null, null);
        var what = details.Operation ?? $"{method} request";
        var reason = exception switch
        {
            BrokenCircuitException => "the circuit breaker is open after repeated failures; calls resume after the break duration",
            TimeoutRejectedException => "it timed out, the answer's body included (see Resilience:AttemptTimeout and Resilience:TotalTimeout)",
            TimeoutException t => t.Message,
            OperationCanceledException => "it timed out",
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError } h
                => $"the server could not be reached ({h.HttpRequestError})",
            HttpRequestException or IOException => "the connection broke off before the whole answer arrived" + (ErrorOf(exception) is var error and not HttpRequestError.Unknown ? $" ({error})" : ""),
            _ => "the connection failed",
        };
        return new MlopsUnavailableException($"{what} failed on backend '{backend}': {reason}.", details, exception);
    }

    private static HttpRequestError ErrorOf(Exception exception) => exception switch
    {
        HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } h => h.HttpRequestError,
        HttpIOException io => io.HttpRequestError,
        { InnerException: { } inner } => ErrorOf(inner),
        _ => HttpRequestError.Unknown,
    };

    public static MlopsException NotExpectedJson(BackendContext context, HttpResponseMessage response, Exception exception)
    {
        var status = (int)response.StatusCode;
        var details = MlopsErrors.Details(context.Name, status, null, null);
        var media = response.Content?.Headers.ContentType?.MediaType;
        var reason = exception is JsonException ? exception.Message : exception.GetType().Name;
        return new MlopsException(
            $"{details.Operation ?? "The request"} on backend '{context.Name}' returned HTTP {status}{(media is null ? "" : $" ({media})")} with a body that is not the expected JSON: {reason}",
            details, exception);
    }
}
