using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlopsGateway.Auth;

namespace MlopsGateway.Http;

/// <summary>
/// Per-backend state that must outlive <c>IHttpClientFactory</c>'s handler rotation: the resilience
/// pipeline (and so the circuit breaker), the concurrency limiter and the credential cache.
/// </summary>
internal sealed class BackendHttpResources
{
    private BackendHttpResources(BackendResilience resilience, SemaphoreSlim? limiter, CredentialSource credential, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Resilience = resilience;
        Limiter = limiter;
        Credential = credential;
        Headers = headers;
    }

    public BackendResilience Resilience { get; }
    public SemaphoreSlim? Limiter { get; }
    public CredentialSource Credential { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public static BackendHttpResources Create(string name, BackendOptions options, TimeProvider time, ILogger logger, IMlopsTokenProvider? tokenProvider)
        => new(
            new BackendResilience(name, options.Resilience, time, logger),
            options.MaxConcurrentRequests is { } max ? new SemaphoreSlim(max, max) : null,
            CredentialFactory.Create(name, options, time, tokenProvider),
            CredentialFactory.Headers(options));
}

/// <summary>Creates each backend's <see cref="BackendHttpResources"/> once, on first use.</summary>
internal sealed class BackendHttpRegistry(IServiceProvider services, IOptions<MlopsGatewayOptions> options, ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, Lazy<BackendHttpResources>> _resources = new(StringComparer.OrdinalIgnoreCase);

    public BackendOptions Options(string name)
        => options.Value.Backends.TryGetValue(name, out var o) ? o : throw new InvalidOperationException($"No backend named '{name}' is configured.");

    public ILogger Logger { get; } = loggerFactory.CreateLogger("MlopsGateway.Http");

    public BackendHttpResources Get(string name) => _resources.GetOrAdd(name, n => new Lazy<BackendHttpResources>(() =>
        BackendHttpResources.Create(n, Options(n), services.GetService<TimeProvider>() ?? TimeProvider.System, Logger,
            services.GetKeyedService<IMlopsTokenProvider>(n)))).Value;
}
