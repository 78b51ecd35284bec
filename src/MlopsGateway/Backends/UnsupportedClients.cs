namespace MlopsGateway;

/// <summary>A run client for a backend without tracking: every call throws <see cref="MlopsNotSupportedException"/> with the given hint.</summary>
/// <param name="backend">The owning backend.</param>
/// <param name="hint">What to do instead (for example "Route Runs to an MLflow backend.").</param>
public sealed class UnsupportedRunClient(MlopsBackendBase backend, string hint) : RunClientBase(backend)
{
    /// <inheritdoc/>
    protected override string NotSupportedHint => hint;
}

/// <summary>A pipeline client for a backend without orchestration: every call throws <see cref="MlopsNotSupportedException"/> with the given hint.</summary>
/// <param name="backend">The owning backend.</param>
/// <param name="hint">What to do instead.</param>
public sealed class UnsupportedPipelineClient(MlopsBackendBase backend, string hint) : PipelineClientBase(backend)
{
    /// <inheritdoc/>
    protected override string NotSupportedHint => hint;
}

/// <summary>A model client for a backend without a registry: every call throws <see cref="MlopsNotSupportedException"/> with the given hint.</summary>
/// <param name="backend">The owning backend.</param>
/// <param name="hint">What to do instead.</param>
public sealed class UnsupportedModelRegistryClient(MlopsBackendBase backend, string hint) : ModelRegistryClientBase(backend)
{
    /// <inheritdoc/>
    protected override string NotSupportedHint => hint;
}
