using System.Text.Json.Nodes;

namespace MlopsGateway;

/// <summary>Filters for <see cref="IPipelineClient.ListAsync"/>.</summary>
public sealed record PipelineQuery
{
    /// <summary>Only pipelines whose id or name contains this text (Airflow <c>dag_id_pattern</c>).</summary>
    public string? NameContains { get; init; }

    /// <summary>Only pipelines carrying all of these tags (Airflow DAG tags).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Only paused (<see langword="true"/>) or unpaused (<see langword="false"/>) pipelines.</summary>
    public bool? IsPaused { get; init; }

    /// <summary>Page size hint; clamped to the backend's <see cref="BackendLimits.MaxPageSize"/>.</summary>
    public int? PageSize { get; init; }
}

/// <summary>Filters and paging for <see cref="IPipelineClient.ListVersionsAsync"/>.</summary>
public sealed record PipelineVersionQuery
{
    /// <summary>Page size hint; clamped to the backend's <see cref="BackendLimits.MaxPageSize"/>.</summary>
    public int? PageSize { get; init; }
}

/// <summary>Settings for <see cref="IPipelineClient.TriggerAsync"/>.</summary>
public sealed record TriggerOptions
{
    /// <summary>Run parameters (Airflow <c>conf</c>, KFP <c>runtime_config.parameters</c>); any JSON values.</summary>
    public JsonObject? Parameters { get; init; }

    /// <summary>The run's display name.</summary>
    public string? RunName { get; init; }

    /// <summary>
    /// The run id to create (Airflow <c>dag_run_id</c>). When absent the gateway generates one, so a
    /// retried trigger meets a conflict and returns the existing run instead of starting a second.
    /// </summary>
    public string? RunId { get; init; }

    /// <summary>The pipeline version to run; the latest when absent.</summary>
    public string? VersionId { get; init; }

    /// <summary>The experiment to file the run under (KFP), when the platform has experiments.</summary>
    public string? ExperimentId { get; init; }

    /// <summary>A note to attach to the run (Airflow), when the platform supports notes.</summary>
    public string? Note { get; init; }

    /// <summary>The logical date (Airflow), when the caller wants one; otherwise the platform default.</summary>
    public DateTimeOffset? LogicalDate { get; init; }
}

/// <summary>A pipeline definition to upload (<see cref="IPipelineClient.UploadAsync"/>).</summary>
public sealed record PipelineUpload
{
    /// <summary>The pipeline (or, for a new version, version) name.</summary>
    public required string Name { get; init; }

    /// <summary>The definition file's content (KFP IR YAML); read once, streamed, never retried.</summary>
    public required Stream Content { get; init; }

    /// <summary>The file name sent with the content (for example <c>pipeline.yaml</c>).</summary>
    public string FileName { get; init; } = "pipeline.yaml";

    /// <summary>A description.</summary>
    public string? Description { get; init; }
}

/// <summary>Settings for <see cref="IPipelineClient.ReadTaskLogAsync"/>.</summary>
public sealed record TaskLogOptions
{
    /// <summary>The attempt whose log to read; the task's latest when absent.</summary>
    public int? Attempt { get; init; }

    /// <summary>Keep reading until the task is terminal and its log is complete (tailing a running task).</summary>
    public bool Follow { get; init; }

    /// <summary>How long to wait between reads while following. Default 2 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
}
