using MlopsGateway.Local;

namespace MlopsGateway;

/// <summary>Registers the embedded Local backend type with the gateway.</summary>
public static class LocalGatewayBuilderExtensions
{
    /// <summary>
    /// Lets configuration use <c>Type: Local</c> with <c>Path</c> (a database file, default
    /// <c>mlops-local.db</c>, or <c>:memory:</c>) and optional <c>ArtifactsPath</c>; no <c>BaseUrl</c>.
    /// This is also the type the gateway uses when no backend is configured at all.
    /// </summary>
    /// <param name="builder">The builder <c>AddMlopsGateway</c> returned.</param>
    /// <param name="configure">Registers pipelines (code delegates) on every Local backend at start-up.</param>
    /// <returns>The builder, for chaining.</returns>
    public static MlopsGatewayBuilder AddLocal(this MlopsGatewayBuilder builder, Action<LocalBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new LocalBackendOptions();
        configure?.Invoke(options);
        return builder.AddBackendType(new BackendTypeRegistration
        {
            Type = LocalBackend.TypeName,
            // The core's backend provider disposes the backend with the service provider.
            Factory = context => new LocalBackend(context, options),
            RequiresBaseUrl = false,
            Settings =
            [
                new("Path", $"The SQLite database file, relative to the working directory, or `{LocalBackend.InMemoryPath}` to keep everything in memory.") { Default = LocalBackend.DefaultPath },
                new("ArtifactsPath", "Where run artifacts and model files are stored; absent: `{Path}.artifacts` beside the database (a temporary directory for `:memory:`)."),
            ],
            Validate = (backend, prefix, errors) =>
            {
                if (!string.IsNullOrWhiteSpace(backend.BaseUrl))
                {
                    errors.Add($"{prefix}:BaseUrl is not used by the Local backend; remove it and set {prefix}:Path (a database file or ':memory:').");
                }
                var path = backend.GetSetting("Path");
                if (path is not null && path != LocalBackend.InMemoryPath && path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
                {
                    errors.Add($"{prefix}:Path '{path}' is not a valid file path.");
                }
            },
        });
    }
}
