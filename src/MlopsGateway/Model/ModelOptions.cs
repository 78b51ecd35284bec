namespace MlopsGateway;

/// <summary>Filters for <see cref="IModelRegistryClient.ListModelsAsync"/>.</summary>
public sealed record ModelQuery
{
    /// <summary>Only models whose name contains this text.</summary>
    public string? NameContains { get; init; }

    /// <summary>Only models carrying every one of these tags with exactly these values.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Page size hint; clamped to the backend's <see cref="BackendLimits.MaxPageSize"/>.</summary>
    public int? PageSize { get; init; }
}

/// <summary>Filters for <see cref="IModelRegistryClient.ListVersionsAsync"/>.</summary>
public sealed record ModelVersionQuery
{
    /// <summary>Only versions produced by this run.</summary>
    public string? RunId { get; init; }

    /// <summary>Only versions carrying every one of these tags with exactly these values.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Page size hint; clamped to the backend's <see cref="BackendLimits.MaxPageSize"/>.</summary>
    public int? PageSize { get; init; }
}

/// <summary>Settings for <see cref="IModelRegistryClient.CreateModelAsync"/>.</summary>
public sealed record ModelCreateOptions
{
    /// <summary>A description.</summary>
    public string? Description { get; init; }

    /// <summary>Initial tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>What a new model version is made from (<see cref="IModelRegistryClient.CreateVersionAsync"/>).</summary>
public sealed record ModelVersionCreateOptions
{
    /// <summary>Where the model's files are: an artifact URI (<c>runs:/…</c>, <c>mlflow-artifacts:/…</c>) or, for Local, a run artifact path.</summary>
    public required string Source { get; init; }

    /// <summary>The run that produced the model, when known.</summary>
    public RunRef? Run { get; init; }

    /// <summary>A description.</summary>
    public string? Description { get; init; }

    /// <summary>Initial tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>Fields to change on a model or version; <see langword="null"/> leaves a field unchanged.</summary>
public sealed record ModelUpdate
{
    /// <summary>The new description.</summary>
    public string? Description { get; init; }
}
