namespace MlopsGateway.Local;

/// <summary>
/// Code-level settings for Local backends registered with <c>AddLocal</c>: pipelines to register in
/// every Local backend when it opens (pipelines are .NET delegates, so they cannot come from configuration).
/// The database location comes from configuration (<c>Path</c>, <c>ArtifactsPath</c>).
/// </summary>
public sealed class LocalBackendOptions
{
    private readonly List<(string Name, Action<LocalPipelineBuilder> Build)> _pipelines = [];
    private readonly List<(string Name, LocalStepHandler Handler)> _steps = [];

    /// <summary>Step handlers registered on every Local backend at start-up, for uploaded pipeline definitions.</summary>
    internal IReadOnlyList<(string Name, LocalStepHandler Handler)> Steps => _steps;

    /// <summary>Pipelines registered on every Local backend at start-up, in registration order.</summary>
    internal IReadOnlyList<(string Name, Action<LocalPipelineBuilder> Build)> Pipelines => _pipelines;

    /// <summary>Registers a pipeline on every Local backend built from this registration (see <see cref="LocalPipelineClient.Register"/>).</summary>
    /// <param name="name">The pipeline id and name: letters, digits, '.', '_' and '-'.</param>
    /// <param name="build">Adds the named steps, in execution order.</param>
    /// <returns>These options, for chaining.</returns>
    public LocalBackendOptions AddPipeline(string name, Action<LocalPipelineBuilder> build)
    {
        MlopsGuard.NotBlank(name);
        ArgumentNullException.ThrowIfNull(build);
        _pipelines.Add((name, build));
        return this;
    }

    /// <summary>Registers a named step handler on every Local backend built from this registration, so uploaded definitions can use it (see <see cref="LocalPipelineClient.RegisterStep(string, LocalStepHandler)"/>).</summary>
    /// <param name="name">The step name used in uploaded definitions: letters, digits, '.', '_' and '-'.</param>
    /// <param name="handler">The work.</param>
    /// <returns>These options, for chaining.</returns>
    public LocalBackendOptions AddStep(string name, LocalStepHandler handler)
    {
        MlopsGuard.NotBlank(name);
        ArgumentNullException.ThrowIfNull(handler);
        _steps.Add((name, handler));
        return this;
    }
}
