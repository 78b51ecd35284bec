using Microsoft.Extensions.Configuration;

namespace MlopsGateway;

/// <summary>Binds the <c>Mlops</c> section (binding source generator), collecting adapter-specific backend keys into <see cref="BackendOptions.Settings"/>.</summary>
internal static class MlopsConfigurationBinder
{
    private static readonly HashSet<string> s_knownBackendKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        nameof(BackendOptions.Type), nameof(BackendOptions.BaseUrl), nameof(BackendOptions.Auth), nameof(BackendOptions.Tls),
        nameof(BackendOptions.Resilience), nameof(BackendOptions.MaxConcurrentRequests), nameof(BackendOptions.Headers), nameof(BackendOptions.Settings), nameof(BackendOptions.Endpoints),
    };

    public static void Bind(IConfiguration section, MlopsGatewayOptions options)
    {
        if (section["DefaultBackend"] is { } defaultBackend)
        {
            options.DefaultBackend = defaultBackend;
        }
        var routing = section.GetSection("Routing");
        if (routing.Exists())
        {
            options.Routing ??= new RoutingOptions();
            routing.Bind(options.Routing);
        }
        foreach (var child in section.GetSection("Backends").GetChildren())
        {
            if (!options.Backends.TryGetValue(child.Key, out var backend))
            {
                backend = new BackendOptions();
                options.Backends[child.Key] = backend;
            }
            child.Bind(backend);
            foreach (var setting in child.GetChildren())
            {
                if (!s_knownBackendKeys.Contains(setting.Key) && setting.Value is not null)
                {
                    backend.Settings[setting.Key] = setting.Value;
                }
            }
        }
    }
}
