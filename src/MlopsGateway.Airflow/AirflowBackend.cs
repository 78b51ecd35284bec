using MlopsGateway.Airflow.Api;
using MlopsGateway.Http;

namespace MlopsGateway.Airflow;

/// <summary>
/// Apache Airflow through its REST API: Airflow 2 (<c>/api/v1</c>, basic auth) and Airflow 3
/// (<c>/api/v2</c>, JWT from <c>/auth/token</c>). DAGs are pipelines and DAG runs are runs; Airflow has
/// no experiment tracking and no model registry, so those operations throw
/// <see cref="MlopsNotSupportedException"/> suggesting MLflow. Settings: <c>ApiVersion</c>
/// (<c>v1</c>, <c>v2</c> or <c>auto</c>, the default, which asks the version endpoint once) and
/// <c>ApiBasePath</c> (the API path under the base URL, default <c>api/v1</c> or <c>api/v2</c>;
/// <c>/</c> for a server, such as a mock, that serves the API at the root). Backend-specific service via
/// <see cref="MlopsBackendBase.GetService"/>: <see cref="AirflowTaskTries"/> (every attempt of a task instance).
/// </summary>
public sealed class AirflowBackend : MlopsBackendBase
{
    /// <summary>The backend type name used in configuration (<c>Type: "Airflow"</c>) and as <see cref="Kind"/>.</summary>
    public const string TypeName = "Airflow";

    private readonly AirflowTaskTries _taskTries;

    /// <summary>The spans and metrics of <see cref="AirflowTaskTries"/>'s operations.</summary>
    internal MlopsOperations Operations { get; }

    private static readonly BackendCapabilities s_capabilities = BackendCapabilities.Create(
        new Dictionary<MlopsCapability, CapabilitySupport>
        {
            [MlopsCapability.RunRead] = CapabilitySupport.Native,
            [MlopsCapability.ParamValues] = CapabilitySupport.Native,
            [MlopsCapability.RunCancel] = CapabilitySupport.Native,
            [MlopsCapability.RunRetry] = CapabilitySupport.Native,
            [MlopsCapability.RunDelete] = CapabilitySupport.Native,
            [MlopsCapability.Pipelines] = CapabilitySupport.Native,
            [MlopsCapability.PipelineTrigger] = CapabilitySupport.Native,
            [MlopsCapability.PipelineDelete] = CapabilitySupport.Native,
            [MlopsCapability.PipelinePause] = CapabilitySupport.Native,
            [MlopsCapability.TaskRuns] = CapabilitySupport.Native,
            [MlopsCapability.TaskLogs] = CapabilitySupport.Native,
        },
        new BackendLimits { MaxPageSize = AirflowApi.MaxPageSize, DefaultPageSize = AirflowApi.MaxPageSize },
        ["Pipelines.List tags (Airflow 2 matches any tag; the gateway keeps DAGs carrying all of them)", "Runs.List StartedBefore (Airflow 2 has only an inclusive bound)"]);

    /// <summary>Creates the backend from its context (name, options, clock, HTTP client).</summary>
    /// <param name="context">The backend context; <c>Settings</c> may hold <c>ApiVersion</c> and <c>ApiBasePath</c>.</param>
    public AirflowBackend(BackendContext context) : base(context)
    {
        Api = new AirflowApi(context, AirflowSettings.ParseApiVersion(context.Options.GetSetting(AirflowSettings.ApiVersionKey)), context.Options.GetSetting(AirflowSettings.ApiBasePathKey));
        Runs = new AirflowRunClient(this);
        Pipelines = new AirflowPipelineClient(this);
        Models = new UnsupportedModelRegistryClient(this, "Airflow has no model registry; route Models to an MLflow backend (Mlops:Routing:Models) and keep Airflow for Pipelines.");
        Operations = new MlopsOperations(context, TypeName);
        _taskTries = new AirflowTaskTries(this);
    }

    internal AirflowApi Api { get; }

    /// <summary>Splits a run id into DAG id and DAG run id; an id of another shape names no Airflow run, so it is NotFound.</summary>
    internal (string DagId, string DagRunId) ParseRunId(string runId)
        => AirflowMapping.TryParseRunId(runId, out var dagId, out var dagRunId)
            ? (dagId, dagRunId)
            : throw MlopsErrors.Create(MlopsErrorKind.NotFound,
                $"'{runId}' is not an Airflow run id: expected 'dagId/dagRunId' with each part percent-encoded, as returned in Run.Id.", Context);

    /// <inheritdoc/>
    public override string Kind => TypeName;

    /// <inheritdoc/>
    public override BackendCapabilities Capabilities => s_capabilities;

    /// <inheritdoc/>
    public override IRunClient Runs { get; }

    /// <inheritdoc/>
    public override IPipelineClient Pipelines { get; }

    /// <inheritdoc/>
    public override IModelRegistryClient Models { get; }

    /// <summary>Answers <see cref="AirflowTaskTries"/> besides what the base answers (the backend and its sub-clients).</summary>
    /// <param name="serviceType">The service asked for.</param>
    /// <param name="serviceKey">Must be null: the Airflow services are not keyed.</param>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(AirflowTaskTries) ? _taskTries : base.GetService(serviceType, serviceKey);
    }

    /// <summary>Asks the version endpoint (detecting the dialect when configured as auto); never throws for an unreachable or failing server.</summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    public override async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var dialect = await Api.GetDialectAsync(cancellationToken).ConfigureAwait(false);
            var version = await Api.GetVersionAsync(cancellationToken).ConfigureAwait(false);
            return BackendHealth.Healthy($"Airflow answered its {(dialect.IsV1 ? "v1" : "v2")} version endpoint.", version.Version);
        }
        catch (MlopsException e)
        {
            return BackendHealth.Unhealthy($"Airflow version probe failed: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            return BackendHealth.Unhealthy($"Airflow version probe failed: {e.Message}");
        }
    }
}
