namespace MlopsGateway;

/// <summary>
/// How an adapter package plugs a backend type into the core (which references no adapter): the
/// configuration <c>Type</c> it answers to, how to build it, and how to validate its settings at start-up.
/// </summary>
public sealed class BackendTypeRegistration
{
    /// <summary>The configuration value of <c>Type</c> (case-insensitive), e.g. <c>MLflow</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Builds the backend from its context; called once per configured backend of this type.</summary>
    public required Func<BackendContext, IMlopsBackend> Factory { get; init; }

    /// <summary>Whether <c>BaseUrl</c> must be an absolute http(s) URL (false for embedded backends).</summary>
    public bool RequiresBaseUrl { get; init; } = true;

    /// <summary>
    /// Validates adapter-specific settings: receives the backend's options, its configuration key prefix
    /// (e.g. <c>Mlops:Backends:orchestrator</c>) and a list to add messages naming the bad key to.
    /// </summary>
    public Action<BackendOptions, string, ICollection<string>>? Validate { get; init; }

    /// <summary>The adapter-specific keys this type reads from <see cref="BackendOptions.Settings"/>, with their defaults (listed in the configuration reference).</summary>
    public IReadOnlyList<BackendSetting> Settings { get; init; } = [];
}
