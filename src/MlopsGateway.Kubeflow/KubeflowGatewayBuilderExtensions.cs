using MlopsGateway.Kubeflow;

namespace MlopsGateway;

/// <summary>Registers the Kubeflow backend type with the gateway.</summary>
public static class KubeflowGatewayBuilderExtensions
{
    /// <summary>
    /// Makes <c>Type: "Kubeflow"</c> available to the configured backends. <c>BaseUrl</c> is the KFP API root (for
    /// example <c>http://ml-pipeline.kubeflow:8888</c> in-cluster, or <c>https://host/pipeline</c> through the
    /// dashboard); the optional setting <c>Namespace</c> and the optional named endpoint
    /// <c>Endpoints:ModelRegistry:BaseUrl</c> (the Kubeflow Model Registry, with its own HTTP client, circuit breaker
    /// and concurrency limit) are checked at start-up.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddMlopsGateway</c>.</param>
    public static MlopsGatewayBuilder AddKubeflow(this MlopsGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddBackendType(new BackendTypeRegistration
        {
            Type = KubeflowBackend.KindName,
            Factory = context => new KubeflowBackend(context),
            RequiresBaseUrl = true,
            Validate = Validate,
            Settings =
            [
                new(KubeflowBackend.NamespaceSetting, "The profile namespace; required on a multi-user deployment (without it, the first namespaced call asks `healthz` and fails naming this key). The Kubeflow Model Registry is not a setting but a named endpoint: `Endpoints:ModelRegistry:BaseUrl`."),
            ],
        });
    }

    /// <summary>The setting that held the Model Registry's URL before it became a named endpoint (0.1).</summary>
    private const string RemovedModelRegistryBaseUrlSetting = "ModelRegistryBaseUrl";

    private static void Validate(BackendOptions options, string keyPrefix, ICollection<string> errors)
    {
        // The core validates each endpoint's BaseUrl; an endpoint name Kubeflow does not know would be silently unused.
        foreach (var endpoint in options.Endpoints.Keys.Where(e => !string.Equals(e, KubeflowBackend.ModelRegistryEndpoint, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{keyPrefix}:Endpoints:{endpoint}: a Kubeflow backend has one further endpoint, {KubeflowBackend.ModelRegistryEndpoint} (the Kubeflow Model Registry).");
        }
        if (options.Settings.ContainsKey(RemovedModelRegistryBaseUrlSetting))
        {
            errors.Add($"{keyPrefix}:{RemovedModelRegistryBaseUrlSetting}: the Model Registry is now a named endpoint with its own HTTP client, circuit breaker and concurrency limit; " +
                       $"move the URL to {keyPrefix}:Endpoints:{KubeflowBackend.ModelRegistryEndpoint}:BaseUrl.");
        }
        if (options.GetSetting(KubeflowBackend.NamespaceSetting) is { } ns && (ns.Length > 63 || !ns.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            errors.Add($"{keyPrefix}:{KubeflowBackend.NamespaceSetting}: '{ns}' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63 characters).");
        }
    }
}
