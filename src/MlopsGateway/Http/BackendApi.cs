using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Refit;

namespace MlopsGateway.Http;

/// <summary>
/// Creates an adapter's Refit client (a source-generated implementation of a Refit interface in the adapter's
/// <c>Api/</c> folder) over the backend's named <see cref="HttpClient"/> — so auth, resilience, the concurrency
/// limit and TLS apply — with the gateway's wire rules: JSON through <see cref="SystemTextJsonContentSerializer"/>
/// on the adapter's source-generated context (exact <c>application/json</c> bodies with a known length), every
/// non-success answer mapped by the core to the <see cref="MlopsException"/> hierarchy with the adapter's
/// <see cref="IBackendErrorParser"/>, transport failures mapped to <see cref="MlopsUnavailableException"/>, and a body
/// that is not the expected JSON to an <see cref="MlopsException"/>. Refit's <c>ApiException</c> never reaches a caller.
/// </summary>
public static class BackendApi
{
    /// <summary>
    /// Creates the client once per backend (the backend is a singleton that keeps it). The endpoint attributes
    /// (<see cref="IdempotentAttribute"/>, <see cref="NotRetryableAttribute"/>, <see cref="PermanentStatusAttribute"/>,
    /// <see cref="AnonymousAttribute"/>) on <typeparamref name="TApi"/>'s methods drive the resilience pipeline.
    /// </summary>
    /// <typeparam name="TApi">The Refit interface.</typeparam>
    /// <param name="context">The backend.</param>
    /// <param name="json">The adapter's source-generated JSON context (covers every body and answer of <typeparamref name="TApi"/>).</param>
    /// <param name="errors">Reads the service's error bodies; null maps by HTTP status only.</param>
    /// <param name="endpoint">A named service endpoint of the backend (<c>Endpoints:{name}</c> in configuration), or null for the main one.</param>
    public static TApi Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] TApi>(
        BackendContext context, JsonSerializerContext json, IBackendErrorParser? errors, string? endpoint = null)
        where TApi : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(json);
        EndpointMarkRegistry.Register<TApi>();
        return RestService.ForGenerated<TApi>(context.CreateHttpClient(endpoint), CreateSettings(context, json, errors));
    }

    internal static RefitSettings CreateSettings(BackendContext context, JsonSerializerContext json, IBackendErrorParser? errors)
    {
        var failures = new FailureFactories(context, errors);
        var settings = new RefitSettings
        {
            ContentSerializer = new GatewayJsonSerializer(json),
            // Not Buffered: Refit would copy every request body into a second buffer before sending — a streamed
            // upload whole in memory, and each JSON body (already bytes of known length) twice.
            Buffered = false,
            RequestBodySerialization = RequestBodySerializationMode.Buffered,
            ExceptionFactory = failures.FromResponse,
            DeserializationExceptionFactory = failures.FromUnreadableBody,
            TransportExceptionFactory = failures.FromTransport,
        };
        settings.UrlParameterFormatterMap[typeof(bool)] = InvariantBooleanFormatter.Instance;
        settings.UrlParameterFormatterMap[typeof(string)] = UrlValues.Instance;
        settings.UrlParameterFormatterMap[typeof(PathSegment)] = UrlValues.Instance;
        return settings;
    }

    /// <summary>The three places Refit asks for an exception, all answered with the gateway's hierarchy.</summary>
    private sealed class FailureFactories(BackendContext context, IBackendErrorParser? errors)
    {
        public ValueTask<Exception?> FromResponse(HttpResponseMessage response)
            => response.IsSuccessStatusCode ? default : MapAsync(response);

        public ValueTask<Exception?> FromUnreadableBody(HttpResponseMessage response, Exception exception)
            => ValueTask.FromResult<Exception?>(TransportErrors.IsTransport(exception)
                ? TransportErrors.Unavailable(context, response.RequestMessage?.Method ?? HttpMethod.Get, exception)
                : TransportErrors.NotExpectedJson(context, response, exception));

        public Exception FromTransport(HttpRequestMessage request, Exception exception, CancellationToken cancellationToken)
            => exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? exception
                : TransportErrors.IsTransport(exception) ? TransportErrors.Unavailable(context, request.Method, exception)
                : exception;

        private async ValueTask<Exception?> MapAsync(HttpResponseMessage response)
            => await ErrorMapper.FromResponseAsync(response, context, errors, CancellationToken.None).ConfigureAwait(false);
    }
}
