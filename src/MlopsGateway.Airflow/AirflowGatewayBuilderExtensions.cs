using MlopsGateway.Airflow;

namespace MlopsGateway;

/// <summary>Registers the Airflow backend type with the gateway.</summary>
public static class AirflowGatewayBuilderExtensions
{
    /// <summary>
    /// Lets configuration use <c>Type: "Airflow"</c>. Settings: <c>ApiVersion</c> (<c>v1</c>, <c>v2</c> or
    /// <c>auto</c>) and <c>ApiBasePath</c>. Start-up validation rejects an unknown ApiVersion, Basic auth
    /// with v2 (Airflow 3 wants a JWT: use <c>TokenExchange</c>) and TokenExchange with v1.
    /// </summary>
    /// <param name="builder">The gateway builder from <c>AddMlopsGateway</c>.</param>
    public static MlopsGatewayBuilder AddAirflow(this MlopsGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddBackendType(new BackendTypeRegistration
        {
            Type = AirflowBackend.TypeName,
            Factory = context => new AirflowBackend(context),
            RequiresBaseUrl = true,
            Validate = AirflowSettings.Validate,
            Settings = AirflowSettings.Declared,
        });
    }
}
