namespace MlopsGateway;

/// <summary>
/// One configured MLOps platform (or a composite of several) seen through the backend-neutral model:
/// experiment tracking (<see cref="Runs"/>), orchestration (<see cref="Pipelines"/>) and the model
/// registry (<see cref="Models"/>). Implementations are thread-safe singletons.
/// </summary>
public interface IMlopsBackend
{
    /// <summary>The configured name of this backend (the key under <c>Mlops:Backends</c>); stamped on every object it returns as <c>Backend</c>.</summary>
    string Name { get; }

    /// <summary>The platform kind as its adapter spells it (<c>MLflow</c>, <c>Airflow</c>, <c>Kubeflow</c>, <c>Metaflow</c>, <c>Local</c>, <c>Composite</c>).</summary>
    string Kind { get; }

    /// <summary>What this backend supports natively, what the gateway emulates, and the limits it enforces before sending.</summary>
    BackendCapabilities Capabilities { get; }

    /// <summary>Experiment tracking: experiments, runs, params, metrics, tags and artifacts.</summary>
    IRunClient Runs { get; }

    /// <summary>Orchestration: pipelines, versions, triggering runs, task runs and their logs.</summary>
    IPipelineClient Pipelines { get; }

    /// <summary>The model registry: registered models, versions, aliases, stages and files.</summary>
    IModelRegistryClient Models { get; }

    /// <summary>
    /// Returns a backend-specific service for what the neutral model does not hold (for example an
    /// adapter's public client for MLflow datasets or KFP recurring runs), or <see langword="null"/>
    /// when this backend offers none of that type.
    /// </summary>
    /// <param name="serviceType">The requested service type.</param>
    /// <param name="serviceKey">An optional key distinguishing several services of one type.</param>
    object? GetService(Type serviceType, object? serviceKey = null);

    /// <summary>Asks the server whether it is reachable and healthy; never throws for an unhealthy server.</summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default);
}
