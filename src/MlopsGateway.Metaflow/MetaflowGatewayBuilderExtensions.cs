using MlopsGateway.Metaflow;

namespace MlopsGateway;

/// <summary>Registers the Metaflow backend type with the gateway.</summary>
public static class MetaflowGatewayBuilderExtensions
{
    /// <summary>
    /// Lets configuration use <c>Type: "Metaflow"</c>: <c>BaseUrl</c> is the metadata service (the
    /// <c>METAFLOW_SERVICE_URL</c> a Metaflow client uses); an API key goes in <c>Auth</c>
    /// (<c>Type: Headers</c>, <c>Headers: { "x-api-key": "env:METAFLOW_SERVICE_AUTH_KEY" }</c>) and any
    /// other gateway headers in <c>Headers</c>. Optional setting <c>User</c> names who registers runs.
    /// </summary>
    /// <param name="builder">The gateway builder from <c>AddMlopsGateway</c>.</param>
    public static MlopsGatewayBuilder AddMetaflow(this MlopsGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddBackendType(new BackendTypeRegistration
        {
            Type = MetaflowBackend.KindName,
            Factory = context => new MetaflowBackend(context),
            RequiresBaseUrl = true,
            Settings =
            [
                new("User", $"Who registers runs (the Metaflow `user` field, at most {MetaflowBackend.MaxFieldLength} characters); absent: the operating-system user name."),
                new("ResolveListStatus", "`true`: derive every listed run's status (two requests a run) even without a status filter.") { Default = "false" },
            ],
            Validate = (options, prefix, errors) =>
            {
                if (options.GetSetting("User") is { Length: > MetaflowBackend.MaxFieldLength })
                {
                    errors.Add($"{prefix}:User must be at most {MetaflowBackend.MaxFieldLength} characters.");
                }
            },
        });
    }
}
