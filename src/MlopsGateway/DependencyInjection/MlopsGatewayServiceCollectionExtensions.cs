using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MlopsGateway;
using MlopsGateway.Auth;
using MlopsGateway.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers MlopsGateway: options, validation at start-up, named backends, the default (or composite) backend, HTTP clients and health checks.</summary>
public static class MlopsGatewayServiceCollectionExtensions
{
    /// <summary>The backend configured when the section has no backends: Local, database <c>mlops-local.db</c> in the working directory.</summary>
    public const string DefaultLocalBackendName = "local";

    /// <summary>Adds the gateway configured from a section (usually <c>configuration.GetSection("Mlops")</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The <c>Mlops</c> configuration section; may be absent (then the Local backend is used).</param>
    public static MlopsGatewayBuilder AddMlopsGateway(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var path = section is IConfigurationSection s ? s.Path : "Mlops";
        return services.AddMlopsGatewayCore(o => MlopsConfigurationBinder.Bind(section, o), path);
    }

    /// <summary>Adds the gateway configured in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets backends, default and routing; null or empty gives the Local backend.</param>
    public static MlopsGatewayBuilder AddMlopsGateway(this IServiceCollection services, Action<MlopsGatewayOptions>? configure = null)
        => services.AddMlopsGatewayCore(configure ?? (_ => { }), "Mlops");

    private static MlopsGatewayBuilder AddMlopsGatewayCore(this IServiceCollection services, Action<MlopsGatewayOptions> configure, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<MlopsGatewayOptions>()
            .Configure(configure)
            .PostConfigure(ApplyLocalDefault)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MlopsGatewayOptions>>(sp =>
            new MlopsGatewayOptionsValidator(sp.GetServices<BackendTypeRegistration>(), sectionPath));
        services.TryAddSingleton<IMlopsBackendProvider, MlopsBackendProvider>();
        services.TryAddSingleton<BackendHttpRegistry>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IMlopsBackendProvider>().Default);
        services.TryAddKeyedSingleton<IMlopsBackend>(KeyedService.AnyKey,
            (sp, key) => sp.GetRequiredService<IMlopsBackendProvider>().Get(key as string ?? throw new ArgumentException("MlopsGateway backends are keyed by name (string).")));

        // Backend names must be known now to register their named HTTP clients and health checks.
        var snapshot = new MlopsGatewayOptions();
        configure(snapshot);
        ApplyLocalDefault(snapshot);
        var health = services.AddHealthChecks();
        var clients = new Dictionary<string, IHttpClientBuilder>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, backend) in snapshot.Backends)
        {
            clients[MlopsHttpClientNames.For(name)] = AddBackendHttpClient(services, name, endpoint: null);
            foreach (var endpoint in backend.Endpoints.Keys)
            {
                clients[MlopsHttpClientNames.For(name, endpoint)] = AddBackendHttpClient(services, name, endpoint);
            }
            health.Add(new HealthCheckRegistration($"mlops:{name}",
                sp => new MlopsBackendHealthCheck(sp.GetRequiredService<IMlopsBackendProvider>(), name),
                HealthStatus.Unhealthy, ["mlops"]));
        }
        return new MlopsGatewayBuilder(services, clients);
    }

    private static void ApplyLocalDefault(MlopsGatewayOptions options)
    {
        if (options.Backends.Count == 0)
        {
            var local = new BackendOptions { Type = "Local" };
            local.Settings["Path"] = "mlops-local.db";
            options.Backends[DefaultLocalBackendName] = local;
        }
    }

    private static IHttpClientBuilder AddBackendHttpClient(IServiceCollection services, string name, string? endpoint)
    {
        // Handler order, outermost first: resilience (the only retry loop, with the concurrency limit inside it) →
        // retried-DELETE rule (sees every attempt) → auth → answer bodies read inside the attempt → sockets. One
        // pipeline (breaker, limiter) per client name. Refit's factories (BackendApi) map what finally fails.
        return services.AddHttpClient(MlopsHttpClientNames.For(name, endpoint))
            .ConfigureHttpClient((sp, client) =>
            {
                var options = sp.GetRequiredService<BackendHttpRegistry>().Options(name);
                client.BaseAddress = options.GetBaseUri(endpoint);
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var registry = sp.GetRequiredService<BackendHttpRegistry>();
                return PrimaryHandlerFactory.Create(name, registry.Options(name), registry.Logger);
            })
            .AddGatewayResilience(name)
            .AddHttpMessageHandler(() => new RetriedDeleteHandler())
            .AddHttpMessageHandler(sp =>
            {
                var registry = sp.GetRequiredService<BackendHttpRegistry>();
                var resources = registry.Get(name);
                return new AuthHandler(resources.Credential, resources.Headers, name, registry.Logger);
            })
            .AddHttpMessageHandler(sp => new ResponseBodyHandler(name, sp.GetRequiredService<BackendHttpRegistry>().Options(name).Resilience,
                sp.GetService<TimeProvider>() ?? TimeProvider.System))
            .RemoveAllLoggers();
    }
}
