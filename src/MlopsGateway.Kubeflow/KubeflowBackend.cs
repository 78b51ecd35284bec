using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>
/// The Kubeflow backend (<c>Type: "Kubeflow"</c>): Kubeflow Pipelines v2beta1 for orchestration (pipelines,
/// versions, experiments, runs, recurring runs) and, when the named endpoint <c>Endpoints:ModelRegistry</c> is
/// configured, the Kubeflow Model Registry for models — a second service with its own HTTP client, circuit breaker
/// and concurrency limit, so an unhealthy registry never stops pipelines and the reverse. KFP has no run tracking or
/// metrics: route tracking to MLflow. Setting: <c>Namespace</c> (the profile namespace; required against a
/// multi-user deployment, which is detected from <c>healthz</c>). Auth (Bearer, a rotating service-account
/// TokenFile, or an identity header such as <c>kubeflow-userid</c> through <c>Auth.Type = Headers</c>) is the
/// core's, sent to both services. Both APIs are Refit interfaces in <c>Api/</c>, created once here.
/// Backend-specific services via <c>backend.GetService&lt;T&gt;()</c>: <see cref="KubeflowSchedules"/>
/// (recurring runs), <see cref="KubeflowArchive"/> (archive/unarchive of experiments and runs, hard delete) and
/// <see cref="KubeflowNodeArtifacts"/> (read a run node's output artifact) and <see cref="KubeflowModelArtifacts"/>
/// (list, get and update a model version's artifacts in the Model Registry).
/// </summary>
public sealed class KubeflowBackend : MlopsBackendBase
{
    /// <summary>The configuration <c>Type</c> and <see cref="IMlopsBackend.Kind"/> of this adapter.</summary>
    public const string KindName = "Kubeflow";

    /// <summary>Setting key of the profile namespace used for experiments, run listing and pipelines.</summary>
    public const string NamespaceSetting = "Namespace";

    /// <summary>
    /// The named service endpoint of the Kubeflow Model Registry: configure <c>Endpoints:ModelRegistry:BaseUrl</c>
    /// (absent: the Models capability is off).
    /// </summary>
    public const string ModelRegistryEndpoint = "ModelRegistry";

    private readonly AsyncOnce<KfpHealthz> _healthz;

    /// <summary>Creates the backend from its context (normally through <c>AddKubeflow()</c> and configuration).</summary>
    /// <param name="context">Name, options, clock and HTTP client factory from the core.</param>
    public KubeflowBackend(BackendContext context) : base(context)
    {
        var kfp = KfpJsonContext.Default;
        var errors = KubeflowErrorParser.Instance;
        HealthApi = BackendApi.Create<IKfpHealthApi>(context, kfp, errors);
        PipelinesApi = BackendApi.Create<IKfpPipelinesApi>(context, kfp, errors);
        ExperimentsApi = BackendApi.Create<IKfpExperimentsApi>(context, kfp, errors);
        RunsApi = BackendApi.Create<IKfpRunsApi>(context, kfp, errors);
        RecurringRunsApi = BackendApi.Create<IKfpRecurringRunsApi>(context, kfp, errors);
        NodeArtifactsApi = BackendApi.Create<IKfpNodeArtifactsApi>(context, kfp, errors);
        Namespace = context.Options.GetSetting(NamespaceSetting);
        _healthz = new AsyncOnce<KfpHealthz>(HealthApi.GetAsync);
        var registryUri = context.Options.GetBaseUri(ModelRegistryEndpoint);
        if (registryUri is not null)
        {
            // Configuration keys are case-insensitive, but the endpoint's named client is registered under the key as
            // configured: ask for it by that spelling.
            var endpoint = context.Options.Endpoints.Keys.First(k => string.Equals(k, ModelRegistryEndpoint, StringComparison.OrdinalIgnoreCase));
            var registry = ModelRegistryJsonContext.Default;
            Registry = new ModelRegistryApi(
                BackendApi.Create<IModelRegistryModelsApi>(context, registry, errors, endpoint),
                BackendApi.Create<IModelRegistryVersionsApi>(context, registry, errors, endpoint),
                BackendApi.Create<IModelRegistryArtifactsApi>(context, registry, errors, endpoint));
        }
        Capabilities = BuildCapabilities(Registry is not null);
        Runs = new KubeflowRunClient(this);
        Pipelines = new KubeflowPipelineClient(this);
        Models = Registry is null
            ? new UnsupportedModelRegistryClient(this, "Set Mlops:Backends:" + context.Name + ":Endpoints:ModelRegistry:BaseUrl to use the Kubeflow Model Registry, or route Models to an MLflow backend.")
            : new KubeflowModelRegistryClient(this, Registry);
        Operations = new MlopsOperations(context, KindName);
        RegistryOperations = new MlopsOperations(context, KindName, registryUri);
        Schedules = new KubeflowSchedules(this);
        Archive = new KubeflowArchive(this);
        NodeArtifacts = new KubeflowNodeArtifacts(this);
        ModelArtifacts = new KubeflowModelArtifacts(this);
    }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <inheritdoc/>
    public override BackendCapabilities Capabilities { get; }

    /// <inheritdoc/>
    public override IRunClient Runs { get; }

    /// <inheritdoc/>
    public override IPipelineClient Pipelines { get; }

    /// <inheritdoc/>
    public override IModelRegistryClient Models { get; }

    internal KubeflowSchedules Schedules { get; }

    internal KubeflowArchive Archive { get; }

    internal KubeflowNodeArtifacts NodeArtifacts { get; }

    internal KubeflowModelArtifacts ModelArtifacts { get; }

    /// <summary>The spans and metrics of the KFP services' operations (schedules, archive, node artifacts).</summary>
    internal MlopsOperations Operations { get; }

    /// <summary>The spans and metrics of the Model Registry services' operations (model artifacts): their server is the registry.</summary>
    internal MlopsOperations RegistryOperations { get; }

    internal IKfpHealthApi HealthApi { get; }

    internal IKfpPipelinesApi PipelinesApi { get; }

    internal IKfpExperimentsApi ExperimentsApi { get; }

    internal IKfpRunsApi RunsApi { get; }

    internal IKfpRecurringRunsApi RecurringRunsApi { get; }

    internal IKfpNodeArtifactsApi NodeArtifactsApi { get; }

    /// <summary>The Model Registry's APIs on its own client, or null when <c>Endpoints:ModelRegistry</c> is not configured.</summary>
    internal ModelRegistryApi? Registry { get; }

    /// <summary>The configured namespace, or null.</summary>
    internal string? Namespace { get; }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            if (serviceType == typeof(KubeflowSchedules))
            {
                return Schedules;
            }
            if (serviceType == typeof(KubeflowArchive))
            {
                return Archive;
            }
            if (serviceType == typeof(KubeflowNodeArtifacts))
            {
                return NodeArtifacts;
            }
            if (serviceType == typeof(KubeflowModelArtifacts))
            {
                return ModelArtifacts;
            }
        }
        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>Asks KFP's <c>healthz</c> and, when configured, lists one registered model; healthy only when both answer.</summary>
    /// <param name="cancellationToken">Cancels the probes.</param>
    public override async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        KfpHealthz health;
        try
        {
            health = await HealthApi.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MlopsException ex)
        {
            return BackendHealth.Unhealthy($"Kubeflow Pipelines healthz failed: {ex.Message}");
        }
        var mode = health.MultiUser == true ? "multi-user" : "single-user";
        if (Registry is not null)
        {
            try
            {
                await Registry.Models.ListAsync(1, MrListOrder.OrderBy, MrListOrder.SortOrder, null, cancellationToken).ConfigureAwait(false);
            }
            catch (MlopsException ex)
            {
                return BackendHealth.Unhealthy($"Kubeflow Pipelines is up ({mode}) but the Model Registry is not: {ex.Message}");
            }
        }
        var registry = Registry is null ? "" : " with the Model Registry";
        return BackendHealth.Healthy($"Kubeflow Pipelines is up ({mode}){registry}.", KfpMapping.NullIfEmpty(health.TagName));
    }

    /// <summary>
    /// The namespace to send where KFP scopes by namespace. Without a configured one, asks <c>healthz</c> once
    /// (cached) whether the server is multi-user, and then fails with a message naming the setting to add.
    /// </summary>
    internal async Task<string?> RequireNamespaceAsync(string operation, CancellationToken ct)
    {
        if (Namespace is not null)
        {
            return Namespace;
        }
        var health = await _healthz.GetAsync(ct).ConfigureAwait(false);
        if (health.MultiUser == true)
        {
            throw MlopsErrors.Create(
                MlopsErrorKind.Validation,
                $"{operation}: the Kubeflow Pipelines server behind backend '{Name}' runs in multi-user mode (healthz multi_user=true), " +
                $"which scopes experiments and runs by profile namespace. Set Mlops:Backends:{Name}:Namespace to your profile namespace.",
                Context);
        }
        return null;
    }

    private static BackendCapabilities BuildCapabilities(bool registry)
    {
        var support = new Dictionary<MlopsCapability, CapabilitySupport>
        {
            [MlopsCapability.Experiments] = CapabilitySupport.Native,
            [MlopsCapability.RunRead] = CapabilitySupport.Native,
            [MlopsCapability.Params] = CapabilitySupport.Native,
            [MlopsCapability.ParamValues] = CapabilitySupport.Native,
            [MlopsCapability.RunCancel] = CapabilitySupport.Native,
            [MlopsCapability.RunRetry] = CapabilitySupport.Native,
            [MlopsCapability.RunDelete] = CapabilitySupport.Native,
            [MlopsCapability.ReportsCanceled] = CapabilitySupport.Native,
            [MlopsCapability.Pipelines] = CapabilitySupport.Native,
            [MlopsCapability.PipelineTrigger] = CapabilitySupport.Native,
            [MlopsCapability.PipelineUpload] = CapabilitySupport.Native,
            [MlopsCapability.PipelineVersions] = CapabilitySupport.Native,
            [MlopsCapability.PipelineDelete] = CapabilitySupport.Native,
            [MlopsCapability.TaskRuns] = CapabilitySupport.Native,
        };
        if (registry)
        {
            support[MlopsCapability.ModelRegistry] = CapabilitySupport.Native;
            support[MlopsCapability.ModelAliases] = CapabilitySupport.Emulated;
        }
        return BackendCapabilities.Create(
            support,
            new BackendLimits { MaxPageSize = 200, DefaultPageSize = 100 },
            [
                "RunQuery.PipelineId",
                "RunQuery.Params",
                "RunQuery.ExperimentIds (more than one)",
                "PipelineQuery.Tags",
                "ModelQuery.NameContains",
                "ModelQuery.Tags",
                "ModelVersionQuery.RunId",
                "ModelVersionQuery.Tags",
            ]);
    }
}
