namespace MlopsGateway;

/// <summary>Filters for <see cref="IRunClient.ListExperimentsAsync"/>.</summary>
public sealed record ExperimentQuery
{
    /// <summary>Only experiments whose name contains this text (case-sensitive); applied client-side where the platform cannot.</summary>
    public string? NameContains { get; init; }

    /// <summary>Include soft-deleted (archived) experiments as well as active ones.</summary>
    public bool IncludeDeleted { get; init; }

    /// <summary>Page size hint; clamped to the backend's <see cref="BackendLimits.MaxPageSize"/>.</summary>
    public int? PageSize { get; init; }
}

/// <summary>Optional settings for <see cref="IRunClient.CreateExperimentAsync"/>.</summary>
public sealed record ExperimentCreateOptions
{
    /// <summary>Where runs of the experiment store artifacts, when the platform lets the caller choose.</summary>
    public string? ArtifactLocation { get; init; }

    /// <summary>A description (KFP) or <c>mlflow.note.content</c> tag (MLflow).</summary>
    public string? Description { get; init; }

    /// <summary>Initial tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
