using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlopsGateway.Auth;

namespace MlopsGateway.Http;

/// <summary>
/// Per-backend state that must outlive <c>IHttpClientFactory</c>'s handler rotation and is shared by the
/// backend's endpoints: the credential cache and the extra headers. (The resilience pipelines live in the
/// resilience registry, one per client name.)
/// </summary>
internal sealed class BackendHttpResources
{
    private BackendHttpResources(CredentialSource credential, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Credential = credential;
        Headers = headers;
    }

    public CredentialSource Credential { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public static BackendHttpResources Create(string name, BackendOptions options, TimeProvider time, IMlopsTokenProvider? tokenProvider)
        => new(CredentialFactory.Create(name, options, time, tokenProvider), CredentialFactory.Headers(options));
}

/// <summary>Creates each backend's <see cref="BackendHttpResources"/> once, on first use.</summary>
internal sealed class BackendHttpRegistry(IServiceProvider services, IOptions<MlopsGatewayOptions> options, ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, Lazy<BackendHttpResources>> _resources = new(StringComparer.OrdinalIgnoreCase);

    public BackendOptions Options(string name)
        => options.Value.Backends.TryGetValue(name, out var o) ? o : throw new InvalidOperationException($"No backend named '{name}' is configured.");

    public ILogger Logger { get; } = loggerFactory.CreateLogger("MlopsGateway.Http");

    public BackendHttpResources Get(string name) => _resources.GetOrAdd(name, n => new Lazy<BackendHttpResources>(() =>
    {
        InsecureCredentials.WarnIfOptedIn(Logger, n, Options(n));
        return BackendHttpResources.Create(n, Options(n), services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetKeyedService<IMlopsTokenProvider>(n));
    })).Value;
}
