using System.Globalization;
using MlopsGateway.Http;
using MlopsGateway.MLflow.Api;

namespace MlopsGateway.MLflow;

/// <summary>
/// The MLflow backend (config <c>Type: "MLflow"</c>): experiment tracking, proxied artifacts and the model
/// registry over MLflow's REST API (2.x, with 3.x-only features used after probing <c>/version</c>).
/// MLflow has no orchestration, so <see cref="Pipelines"/> throws <see cref="MlopsNotSupportedException"/>
/// before any request. <see cref="IMlopsBackend.GetService"/> also returns an <see cref="MLflowTrackingClient"/>
/// for what the neutral model does not hold (dataset inputs, experiment tags, MLflow 3 logged models).
/// </summary>
public sealed class MLflowBackend : MlopsBackendBase
{
    /// <summary>The <see cref="IMlopsBackend.Kind"/> and configuration <c>Type</c> of this backend.</summary>
    public const string TypeName = "MLflow";

    /// <summary>
    /// MLflow's server limits (validation.py): 1000 metrics, 100 params, 100 tags and 1000 entities per
    /// log-batch; keys up to 250 characters; param values up to 6000 and tag values up to 8000 characters
    /// (the server would silently truncate longer ones, so the gateway rejects them); pages up to 1000
    /// (the registered-model search cap); four metric batches in flight by default.
    /// </summary>
    public static BackendLimits Limits { get; } = new()
    {
        MaxMetricsPerBatch = 1000,
        MaxParamsPerBatch = 100,
        MaxTagsPerBatch = 100,
        MaxEntitiesPerBatch = 1000,
        MaxKeyLength = 250,
        MaxParamValueLength = 6000,
        MaxTagValueLength = 8000,
        MaxPageSize = 1000,
        DefaultPageSize = 100,
        DefaultParallelBatches = 4,
    };

    // Declared after Limits: static initializers run in textual order.
    private static readonly BackendCapabilities s_capabilities = BackendCapabilities.Create(
        new Dictionary<MlopsCapability, CapabilitySupport>
        {
            [MlopsCapability.Experiments] = CapabilitySupport.Native,
            [MlopsCapability.RunTracking] = CapabilitySupport.Native,
            [MlopsCapability.RunRead] = CapabilitySupport.Native,
            [MlopsCapability.Params] = CapabilitySupport.Native,
            [MlopsCapability.ParamValues] = CapabilitySupport.Native,
            [MlopsCapability.Metrics] = CapabilitySupport.Native,
            [MlopsCapability.RunTags] = CapabilitySupport.Native,
            [MlopsCapability.Artifacts] = CapabilitySupport.Native,
            [MlopsCapability.RunCancel] = CapabilitySupport.Native,
            [MlopsCapability.RunDelete] = CapabilitySupport.Native,
            [MlopsCapability.ReportsCanceled] = CapabilitySupport.Native,
            [MlopsCapability.ModelRegistry] = CapabilitySupport.Native,
            [MlopsCapability.ModelAliases] = CapabilitySupport.Native,
            [MlopsCapability.ModelStages] = CapabilitySupport.Native,
            [MlopsCapability.ModelFiles] = CapabilitySupport.Native,
        },
        Limits,
        ["ExperimentQuery.NameContains and ModelQuery.NameContains: sent as LIKE '%text%', then re-checked case-sensitively client-side"]);

    private readonly MLflowRunClient _runs;
    private readonly MLflowModelRegistryClient _models;
    private readonly UnsupportedPipelineClient _pipelines;
    private readonly AsyncOnce<Version> _serverVersion;

    /// <summary>Creates the backend; the gateway's DI does this for each configured MLflow backend (see <c>AddMLflow()</c>).</summary>
    /// <param name="context">Name, options, clock and the configured HTTP client.</param>
    public MLflowBackend(BackendContext context) : base(context)
    {
        TrackingApi = BackendApi.Create<IMLflowTrackingApi>(context, MLflowJsonContext.Default, MLflowErrorParser.Instance);
        ArtifactsApi = BackendApi.Create<IMLflowArtifactsApi>(context, MLflowJsonContext.Default, MLflowErrorParser.Instance);
        RegistryApi = BackendApi.Create<IMLflowRegistryApi>(context, MLflowJsonContext.Default, MLflowErrorParser.Instance);
        LoggedModelsApi = BackendApi.Create<IMLflowLoggedModelsApi>(context, MLflowJsonContext.Default, MLflowErrorParser.Instance);
        _serverVersion = new AsyncOnce<Version>(async ct => ParseVersion(await TrackingApi.GetVersionAsync(ct).ConfigureAwait(false)));
        _runs = new MLflowRunClient(this);
        _models = new MLflowModelRegistryClient(this);
        _pipelines = new UnsupportedPipelineClient(this,
            "MLflow tracks runs and models but has no orchestration: route Pipelines to an Airflow or Kubeflow backend (Mlops:Routing:Pipelines).");
        Operations = new MlopsOperations(context, TypeName);
        Tracking = new MLflowTrackingClient(this);
    }

    /// <inheritdoc/>
    public override string Kind => TypeName;

    /// <inheritdoc/>
    public override BackendCapabilities Capabilities => s_capabilities;

    /// <inheritdoc/>
    public override IRunClient Runs => _runs;

    /// <inheritdoc/>
    public override IPipelineClient Pipelines => _pipelines;

    /// <inheritdoc/>
    public override IModelRegistryClient Models => _models;

    /// <summary>MLflow-specific operations the neutral model does not hold (dataset inputs, experiment tags, run restore, download URIs, logged models).</summary>
    internal MLflowTrackingClient Tracking { get; }

    /// <summary>The spans and metrics of <see cref="MLflowTrackingClient"/>'s operations.</summary>
    internal MlopsOperations Operations { get; }

    internal IMLflowTrackingApi TrackingApi { get; }

    internal IMLflowArtifactsApi ArtifactsApi { get; }

    internal IMLflowRegistryApi RegistryApi { get; }

    internal IMLflowLoggedModelsApi LoggedModelsApi { get; }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(Tracking))
        {
            return Tracking;
        }
        return base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    public override async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var version = (await TrackingApi.GetVersionAsync(cancellationToken).ConfigureAwait(false)).Trim();
            return BackendHealth.Healthy($"MLflow at {Context.Options.BaseUrl} answered /version.", version);
        }
        catch (MlopsException ex)
        {
            return BackendHealth.Unhealthy(ex.Message);
        }
    }

    /// <summary>The server's version from <c>/version</c>, probed once and cached (a failed probe is retried next time).</summary>
    /// <param name="cancellationToken">Cancels waiting for the probe.</param>
    internal Task<Version> GetServerVersionAsync(CancellationToken cancellationToken) => _serverVersion.GetAsync(cancellationToken);

    /// <summary>Throws <see cref="MlopsNotSupportedException"/> (before sending the operation) when the server is older than <paramref name="minimum"/>.</summary>
    internal async Task RequireVersionAsync(Version minimum, string operation, CancellationToken cancellationToken)
    {
        var version = await GetServerVersionAsync(cancellationToken).ConfigureAwait(false);
        if (version < minimum)
        {
            throw new MlopsNotSupportedException(Name, operation,
                $"it needs MLflow {minimum} or newer and the server reports {version}. Upgrade the server or avoid this call.");
        }
    }

    internal static Version ParseVersion(string text)
    {
        var digits = new string(text.Trim().TakeWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray()).Trim('.');
        var parts = digits.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        while (parts.Count < 3)
        {
            parts.Add(0);
        }
        return new Version(parts[0], parts[1], parts[2]);
    }
}
