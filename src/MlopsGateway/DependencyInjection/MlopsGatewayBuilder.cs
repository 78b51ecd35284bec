using Microsoft.Extensions.DependencyInjection;

namespace MlopsGateway;

/// <summary>Returned by <c>AddMlopsGateway</c>: registers backend types (adapter packages add <c>AddMLflow()</c> etc. on it) and exposes each backend's HTTP client builder.</summary>
public sealed class MlopsGatewayBuilder
{
    private readonly Dictionary<string, IHttpClientBuilder> _httpClients;

    internal MlopsGatewayBuilder(IServiceCollection services, Dictionary<string, IHttpClientBuilder> httpClients)
    {
        Services = services;
        _httpClients = httpClients;
    }

    /// <summary>The application's service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Registers a backend type so configuration can name it in <c>Type</c>; registering the same type twice keeps the first.</summary>
    /// <param name="registration">The type, factory and validation.</param>
    public MlopsGatewayBuilder AddBackendType(BackendTypeRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (!Services.Any(d => d.ServiceType == typeof(BackendTypeRegistration) && d.ImplementationInstance is BackendTypeRegistration r
                && string.Equals(r.Type, registration.Type, StringComparison.OrdinalIgnoreCase)))
        {
            Services.AddSingleton(registration);
        }
        return this;
    }

    /// <summary>
    /// The <see cref="IHttpClientBuilder"/> of a configured backend's named client (or of one of its named
    /// <see cref="BackendOptions.Endpoints"/>), to add or replace handlers — for example a handler that adds a
    /// header, or <c>ConfigurePrimaryHttpMessageHandler</c>. The gateway's resilience handler (named
    /// <c>mlops</c>, from Microsoft.Extensions.Http.Resilience) is the only retry loop: to change it, remove it
    /// with <c>RemoveAllResilienceHandlers()</c> and add your own rather than stacking a second one.
    /// </summary>
    /// <param name="backendName">The configured backend name.</param>
    /// <param name="endpoint">A named endpoint of the backend, or null for its <c>BaseUrl</c>.</param>
    public IHttpClientBuilder HttpClient(string backendName, string? endpoint = null)
    {
        ArgumentNullException.ThrowIfNull(backendName);
        return _httpClients.TryGetValue(MlopsHttpClientNames.For(backendName, endpoint), out var builder)
            ? builder
            : throw new KeyNotFoundException(endpoint is null
                ? $"No backend named '{backendName}' is configured."
                : $"Backend '{backendName}' has no endpoint named '{endpoint}' in its configuration (Endpoints:{endpoint}).");
    }
}
