using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlopsGateway;

/// <summary>Creates each configured backend once, instrumented, on first use; builds the default (or composite) backend.</summary>
internal sealed class MlopsBackendProvider : IMlopsBackendProvider, IAsyncDisposable, IDisposable
{
    private readonly MlopsGatewayOptions _options;
    private readonly Dictionary<string, BackendTypeRegistration> _types;
    private readonly IServiceProvider _services;
    private readonly ConcurrentDictionary<string, Lazy<IMlopsBackend>> _backends = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lazy<IMlopsBackend> _default;

    public MlopsBackendProvider(IOptions<MlopsGatewayOptions> options, IEnumerable<BackendTypeRegistration> types, IServiceProvider services)
    {
        _options = options.Value; // validates the whole section: a bad key fails here, naming it
        _types = types.GroupBy(t => t.Type, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        _services = services;
        Names = [.. _options.Backends.Keys];
        _default = new Lazy<IMlopsBackend>(CreateDefault);
    }

    public IReadOnlyList<string> Names { get; }

    public IMlopsBackend Default => _default.Value;

    public IMlopsBackend Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_options.Backends.ContainsKey(name))
        {
            throw new KeyNotFoundException($"No backend named '{name}' is configured; configured: {string.Join(", ", Names)}.");
        }
        return _backends.GetOrAdd(name, n => new Lazy<IMlopsBackend>(() => Create(n))).Value;
    }

    private InstrumentedBackend Create(string name)
    {
        var key = _options.Backends.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        var options = _options.Backends[key];
        var registration = _types[options.Type!];
        var time = _services.GetService<TimeProvider>() ?? TimeProvider.System;
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        var context = new BackendContext(key, options, time, _services.GetService<ILoggerFactory>(),
            endpoint => factory.CreateClient(MlopsHttpClientNames.For(key, endpoint)), _services);
        var backend = registration.Factory(context);
        return new InstrumentedBackend(backend, time, registration.RequiresBaseUrl ? options.GetBaseUri() : null);
    }

    /// <summary>Disposes every backend created so far that holds resources (a Local database, a background scheduler).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var backend in Created())
        {
            switch (backend)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var backend in Created())
        {
            switch (backend)
            {
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
                case IAsyncDisposable asyncDisposable:
                    asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    break;
            }
        }
    }

    private IEnumerable<IMlopsBackend> Created()
        => _backends.Values.Where(l => l.IsValueCreated).Select(l => ((InstrumentedBackend)l.Value).Inner);

    private IMlopsBackend CreateDefault()
    {
        var fallback = _options.DefaultBackend ?? Names[0];
        if (_options.Routing is not { } routing)
        {
            return Get(fallback);
        }
        return new CompositeBackend(this, routing.Runs ?? fallback, routing.Pipelines ?? fallback, routing.Models ?? fallback);
    }
}

/// <summary>The <c>IHttpClientFactory</c> client name of each backend.</summary>
public static class MlopsHttpClientNames
{
    /// <summary>The named client of the backend called <paramref name="backendName"/>, or of one of its named endpoints.</summary>
    /// <param name="backendName">The configured backend name.</param>
    /// <param name="endpoint">A named endpoint (<c>Endpoints:{endpoint}</c>), or null for the backend's <c>BaseUrl</c>.</param>
    public static string For(string backendName, string? endpoint = null)
        => endpoint is null ? "MlopsGateway." + backendName : "MlopsGateway." + backendName + "." + endpoint;
}
