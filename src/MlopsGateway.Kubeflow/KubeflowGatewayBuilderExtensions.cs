using MlopsGateway.Kubeflow;

namespace MlopsGateway;

/// <summary>Registers the Kubeflow backend type with the gateway.</summary>
public static class KubeflowGatewayBuilderExtensions
{
    /// <summary>
    /// Makes <c>Type: "Kubeflow"</c> available to the configured backends. <c>BaseUrl</c> is the KFP API root (for
    /// example <c>http://ml-pipeline.kubeflow:8888</c> in-cluster, or <c>https://host/pipeline</c> through the
    /// dashboard); optional settings <c>Namespace</c> and <c>ModelRegistryBaseUrl</c> are checked at start-up.
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
                new(KubeflowBackend.NamespaceSetting, "The profile namespace; required on a multi-user deployment (without it, the first namespaced call asks `healthz` and fails naming this key)."),
                new(KubeflowBackend.ModelRegistryBaseUrlSetting, "The Kubeflow Model Registry's absolute http(s) URL; absent: no model registry (Models calls are not supported)."),
            ],
        });
    }

    private static void Validate(BackendOptions options, string keyPrefix, ICollection<string> errors)
    {
        if (options.GetSetting(KubeflowBackend.ModelRegistryBaseUrlSetting) is { } registry
            && (!Uri.TryCreate(registry, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{keyPrefix}:{KubeflowBackend.ModelRegistryBaseUrlSetting}: '{registry}' is not an absolute http or https URL.");
        }
        if (options.GetSetting(KubeflowBackend.NamespaceSetting) is { } ns && (ns.Length > 63 || !ns.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            errors.Add($"{keyPrefix}:{KubeflowBackend.NamespaceSetting}: '{ns}' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63 characters).");
        }
    }
}
