using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>Builds a Kubeflow backend through DI exactly as an application does, with fast retries.</summary>
internal static class Harness
{
    public const string Name = "kfp";

    public static IMlopsBackend Create(Uri baseUri, Uri? registry = null, Action<BackendOptions>? configure = null, TimeProvider? time = null, Action<MlopsGatewayBuilder>? gateway = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        var builder = services.AddMlopsGateway(o =>
        {
            var options = new BackendOptions { Type = "Kubeflow", BaseUrl = baseUri.ToString() };
            options.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            options.Resilience.MaxDelay = TimeSpan.FromMilliseconds(5);
            options.Auth.Type = "Bearer";
            options.Auth.Token = "test-token";
            if (registry is not null)
            {
                options.Endpoints[KubeflowBackend.ModelRegistryEndpoint] = new EndpointOptions { BaseUrl = registry.ToString() };
            }
            configure?.Invoke(options);
            o.Backends[Name] = options;
        }).AddKubeflow();
        gateway?.Invoke(builder);
        return services.BuildServiceProvider().GetRequiredKeyedService<IMlopsBackend>(Name);
    }

    public static IReadOnlyList<RecordedRequest> Kfp(this FakeServer server)
        => server.Requests.Where(r => r.Path.StartsWith("/apis/v2beta1/", StringComparison.Ordinal)).ToList();

    /// <summary>The requests minus the one cached <c>healthz</c> probe a namespace-scoped call makes when no Namespace is configured.</summary>
    public static IReadOnlyList<RecordedRequest> Operations(this FakeServer server)
        => server.Requests.Where(r => r.Path != "/apis/v2beta1/healthz").ToList();

    public static string Line(this RecordedRequest r) => $"{r.Method} {r.Path}{r.Query}";
}
