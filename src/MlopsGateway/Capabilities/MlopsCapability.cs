namespace MlopsGateway;

/// <summary>
/// A feature a backend may or may not have. The capability matrix in <c>docs/capabilities.md</c> is
/// generated from the adapters' declared <see cref="BackendCapabilities"/> over these values.
/// </summary>
public enum MlopsCapability
{
    /// <summary>Create, get, list, delete and restore experiments.</summary>
    Experiments,
    /// <summary>Create tracked runs (<see cref="IRunClient.StartAsync"/>, <see cref="IRunClient.CreateRunAsync"/>) and end them.</summary>
    RunTracking,
    /// <summary>Get and list runs.</summary>
    RunRead,
    /// <summary>Log params.</summary>
    Params,
    /// <summary>Read param values back (Metaflow exposes names only).</summary>
    ParamValues,
    /// <summary>Log metrics and read their history.</summary>
    Metrics,
    /// <summary>Set and delete run tags.</summary>
    RunTags,
    /// <summary>Upload, download and list run artifacts.</summary>
    Artifacts,
    /// <summary>Cancel a run.</summary>
    RunCancel,
    /// <summary>Retry a run.</summary>
    RunRetry,
    /// <summary>Delete a run.</summary>
    RunDelete,
    /// <summary>Reports <see cref="RunStatus.Canceled"/> natively (elsewhere a cancelled run reads Failed or Running).</summary>
    ReportsCanceled,
    /// <summary>List and get pipelines.</summary>
    Pipelines,
    /// <summary>Trigger a pipeline run.</summary>
    PipelineTrigger,
    /// <summary>Upload pipeline definitions and versions.</summary>
    PipelineUpload,
    /// <summary>List, get and delete pipeline versions.</summary>
    PipelineVersions,
    /// <summary>Delete pipelines.</summary>
    PipelineDelete,
    /// <summary>Pause and resume pipeline scheduling.</summary>
    PipelinePause,
    /// <summary>List a run's task runs.</summary>
    TaskRuns,
    /// <summary>Read task logs.</summary>
    TaskLogs,
    /// <summary>Registered models and versions.</summary>
    ModelRegistry,
    /// <summary>Model aliases.</summary>
    ModelAliases,
    /// <summary>Legacy model stages.</summary>
    ModelStages,
    /// <summary>Download a model version's files.</summary>
    ModelFiles,
}

/// <summary>How a backend provides a capability.</summary>
public enum CapabilitySupport
{
    /// <summary>Not available; the operation throws <see cref="MlopsNotSupportedException"/> before any request.</summary>
    None,
    /// <summary>The server does it.</summary>
    Native,
    /// <summary>The gateway provides it on top of the server (for example a filter applied client-side).</summary>
    Emulated,
}
