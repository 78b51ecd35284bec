using MlopsGateway.MLflow;

namespace MlopsGateway;

/// <summary>Registers the MLflow backend type with the gateway.</summary>
public static class MLflowGatewayBuilderExtensions
{
    /// <summary>
    /// Lets configuration use <c>Type: "MLflow"</c> (case-insensitive) for backends with an absolute
    /// http(s) <c>BaseUrl</c> — the tracking server's root, under which <c>api/2.0/mlflow</c> and
    /// <c>api/2.0/mlflow-artifacts</c> are served (include any <c>--static-prefix</c>).
    /// </summary>
    /// <param name="builder">The gateway builder from <c>AddMlopsGateway</c>.</param>
    public static MlopsGatewayBuilder AddMLflow(this MlopsGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddBackendType(new BackendTypeRegistration
        {
            Type = MLflowBackend.TypeName,
            Factory = context => new MLflowBackend(context),
            RequiresBaseUrl = true,
        });
    }
}
