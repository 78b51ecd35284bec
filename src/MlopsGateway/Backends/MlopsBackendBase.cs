namespace MlopsGateway;

/// <summary>
/// A convenient base for backend implementations: holds the <see cref="BackendContext"/>, and answers
/// <see cref="GetService"/> with itself and its sub-clients. Adapters derive their sub-clients from
/// <see cref="RunClientBase"/>, <see cref="PipelineClientBase"/> and <see cref="ModelRegistryClientBase"/>,
/// whose every operation throws <see cref="MlopsNotSupportedException"/> until overridden.
/// </summary>
public abstract class MlopsBackendBase : IMlopsBackend
{
    /// <summary>Creates the backend.</summary>
    /// <param name="context">The backend's name, options, clock and HTTP client.</param>
    protected MlopsBackendBase(BackendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
    }

    /// <summary>The backend's name, options, clock and HTTP client.</summary>
    public BackendContext Context { get; }

    /// <inheritdoc/>
    public string Name => Context.Name;

    /// <inheritdoc/>
    public abstract string Kind { get; }

    /// <inheritdoc/>
    public abstract BackendCapabilities Capabilities { get; }

    /// <inheritdoc/>
    public abstract IRunClient Runs { get; }

    /// <inheritdoc/>
    public abstract IPipelineClient Pipelines { get; }

    /// <inheritdoc/>
    public abstract IModelRegistryClient Models { get; }

    /// <inheritdoc/>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }
        foreach (var candidate in new object[] { this, Runs, Pipelines, Models })
        {
            if (serviceType.IsInstanceOfType(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public abstract Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default);
}
