namespace MlopsGateway;

/// <summary>
/// Where a composite sent one run-scoped call and why: to the run's own backend of record, or — for a
/// bare id — to the only routed backend that holds runs. When the run's own backend lacks the operation,
/// the adapter's "route X to …" hint does not apply (routing did not choose that backend), so
/// <see cref="Explain"/> says instead which backend the run belongs to and what kind of run it is.
/// </summary>
/// <param name="Run">The reference the caller passed.</param>
/// <param name="BackendName">The configured name of the backend the call goes to.</param>
/// <param name="Backend">That backend.</param>
/// <param name="SubClient"><c>Runs</c> or <c>Pipelines</c>.</param>
/// <param name="RoutedBackend">The backend <c>Routing</c> names for <paramref name="SubClient"/>.</param>
internal sealed record RunRoute(RunRef Run, string BackendName, IMlopsBackend Backend, string SubClient, string RoutedBackend)
{
    /// <summary>Whether <paramref name="exception"/> came from the run's own backend although routing names another one.</summary>
    public bool Explains(MlopsNotSupportedException exception)
        => Run.Backend is not null
            && string.Equals(exception.Backend, BackendName, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(BackendName, RoutedBackend, StringComparison.OrdinalIgnoreCase);

    /// <summary>The not-supported error restated: the backend the call went to, why, and what kind of runs it holds.</summary>
    public MlopsNotSupportedException Explain(MlopsNotSupportedException exception)
    {
        var capabilities = Backend.Capabilities;
        var tracks = capabilities.Supports(MlopsCapability.RunTracking);
        var orchestrates = capabilities.Supports(MlopsCapability.PipelineTrigger);
        var role = (tracks, orchestrates) switch
        {
            (true, false) => $"a tracking backend ({Backend.Kind})",
            (false, true) => $"an orchestration backend ({Backend.Kind})",
            _ => $"a {Backend.Kind} backend",
        };
        var consequence = (SubClient, tracks, orchestrates) switch
        {
            ("Pipelines", true, false) => "Its runs are tracked runs (Runs.StartAsync): task runs and task logs exist only for runs triggered with Pipelines.TriggerAsync on an orchestration backend.",
            ("Runs", false, true) => "Its runs are pipeline runs: params, metrics, tags and artifacts are logged to a run of a tracking backend (Runs.StartAsync).",
            _ => $"'{BackendName}' cannot do this for any of its runs (see docs/capabilities.md).",
        };
        var operation = exception.Operation ?? SubClient;
        return new MlopsNotSupportedException(
            $"{operation} is not supported for run '{Run.Id}': the run belongs to backend '{BackendName}', {role}, and run-scoped calls go to the run's own backend (Run.Backend), not to Routing:{SubClient} ('{RoutedBackend}'). {consequence}",
            exception.Details);
    }
}
