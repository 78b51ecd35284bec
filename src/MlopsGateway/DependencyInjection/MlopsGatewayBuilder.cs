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
    /// The <see cref="IHttpClientBuilder"/> of a configured backend's named client, to add or replace
    /// handlers. The gateway's resilience handler is the only retry loop: do not add another.
    /// </summary>
    /// <param name="backendName">The configured backend name.</param>
    public IHttpClientBuilder HttpClient(string backendName)
        => _httpClients.TryGetValue(backendName, out var builder)
            ? builder
            : throw new KeyNotFoundException($"No backend named '{backendName}' is configured; configured: {string.Join(", ", _httpClients.Keys)}.");
}
