using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>
/// The Kubeflow backend (<c>Type: "Kubeflow"</c>): Kubeflow Pipelines v2beta1 for orchestration (pipelines,
/// versions, experiments, runs, recurring runs) and, when <c>ModelRegistryBaseUrl</c> is set, the Kubeflow Model
/// Registry for models. KFP has no run tracking or metrics: route tracking to MLflow. Settings:
/// <c>Namespace</c> (the profile namespace; required against a multi-user deployment, which is detected from
/// <c>healthz</c>) and <c>ModelRegistryBaseUrl</c>. Auth (Bearer, a rotating service-account TokenFile, or an
/// identity header such as <c>kubeflow-userid</c> through <c>Auth.Type = Headers</c>) is the core's.
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

    /// <summary>Setting key of the Model Registry's base URL (absent: the Models capability is off).</summary>
    public const string ModelRegistryBaseUrlSetting = "ModelRegistryBaseUrl";

    private readonly AsyncOnce<KfpHealthz> _healthz;

    /// <summary>Creates the backend from its context (normally through <c>AddKubeflow()</c> and configuration).</summary>
    /// <param name="context">Name, options, clock and HTTP client factory from the core.</param>
    public KubeflowBackend(BackendContext context) : base(context)
    {
        var http = new BackendHttp(context, KubeflowErrorParser.Instance);
        Api = new KfpApi(http);
        Namespace = context.Options.GetSetting(NamespaceSetting);
        _healthz = new AsyncOnce<KfpHealthz>(ct => Api.GetHealthzAsync(ct));
        if (ModelRegistryUri(context.Options) is { } registryUri)
        {
            Registry = new ModelRegistryApi(http, registryUri);
        }
        Capabilities = BuildCapabilities(Registry is not null);
        Runs = new KubeflowRunClient(this);
        Pipelines = new KubeflowPipelineClient(this);
        Models = Registry is null
            ? new UnsupportedModelRegistryClient(this, "Set Mlops:Backends:" + context.Name + ":ModelRegistryBaseUrl to use the Kubeflow Model Registry, or route Models to an MLflow backend.")
            : new KubeflowModelRegistryClient(this, Registry);
        Operations = new MlopsOperations(context, KindName);
        RegistryOperations = new MlopsOperations(context, KindName, ModelRegistryUri(context.Options));
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

    internal KfpApi Api { get; }

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
            health = await Api.GetHealthzAsync(cancellationToken).ConfigureAwait(false);
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
                await Registry.ListRegisteredModelsAsync(null, null, 1, cancellationToken).ConfigureAwait(false);
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

    private static Uri? ModelRegistryUri(BackendOptions options)
    {
        var raw = options.GetSetting(ModelRegistryBaseUrlSetting);
        if (raw is null || !Uri.TryCreate(raw, UriKind.Absolute, out var uri))
        {
            return null;
        }
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
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
