using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlopsGateway;

/// <summary>
/// Everything the core hands an adapter when it builds a configured backend: the backend's name and
/// options, the shared <see cref="TimeProvider"/>, logging, and its named <see cref="HttpClient"/>
/// (with auth, resilience, concurrency limit and telemetry already in its handler chain).
/// </summary>
public sealed class BackendContext
{
    private readonly Func<string?, HttpClient>? _httpClientFactory;

    /// <summary>Creates a context; the DI registration does this for configured backends, tests and embedded use may do it directly.</summary>
    /// <param name="name">The configured backend name.</param>
    /// <param name="options">The backend's options.</param>
    /// <param name="timeProvider">The clock for timeouts, polling and token expiry; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="httpClientFactory">
    /// Creates the configured HTTP client of the backend (argument null) or of one of its named
    /// <see cref="BackendOptions.Endpoints"/>; null for backends without HTTP.
    /// </param>
    /// <param name="services">The application's service provider, when built through DI.</param>
    public BackendContext(
        string name,
        BackendOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        Func<string?, HttpClient>? httpClientFactory = null,
        IServiceProvider? services = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Options = options ?? new BackendOptions();
        TimeProvider = timeProvider ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _httpClientFactory = httpClientFactory;
        Services = services;
    }

    /// <summary>The configured backend name, stamped as <c>Backend</c> on every returned object.</summary>
    public string Name { get; }

    /// <summary>The backend's options (common keys plus <see cref="BackendOptions.Settings"/> for adapter-specific ones).</summary>
    public BackendOptions Options { get; }

    /// <summary>The clock every time-dependent behaviour reads.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Creates loggers for the adapter.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The application's service provider, when the backend was built through DI.</summary>
    public IServiceProvider? Services { get; }

    /// <summary>Resolves an optional service from <see cref="Services"/>.</summary>
    public T? GetService<T>() where T : class => Services?.GetService<T>();

    /// <summary>
    /// Returns the configured <see cref="HttpClient"/> (from <c>IHttpClientFactory</c> when built through DI) of the
    /// backend or of one of its named <see cref="BackendOptions.Endpoints"/>: base address, auth, resilience,
    /// concurrency limit and TLS are in its handler chain. Adapters create their Refit clients over it once, with
    /// <see cref="Http.BackendApi"/>.
    /// </summary>
    /// <param name="endpoint">A named endpoint, or null for the backend's <c>BaseUrl</c>.</param>
    public HttpClient CreateHttpClient(string? endpoint = null)
    {
        if (endpoint is not null && !Options.Endpoints.ContainsKey(endpoint))
        {
            throw new InvalidOperationException($"Backend '{Name}' has no endpoint '{endpoint}' (configure Endpoints:{endpoint}:BaseUrl).");
        }
        return _httpClientFactory?.Invoke(endpoint)
               ?? throw new InvalidOperationException($"Backend '{Name}' was created without an HTTP client factory.");
    }
}
