using System.Globalization;
using MlopsGateway.Http;
using MlopsGateway.Metaflow.Api;

namespace MlopsGateway.Metaflow;

/// <summary>
/// The Metaflow backend: flows, runs, steps, tasks and artifact records over the Metaflow metadata
/// service (<c>Type: "Metaflow"</c>). Runs read their status the way Metaflow's UI derives it; tags are
/// plain strings (key with an empty value); system tags are read-only; parameter values are not
/// available (names only). Registering runs and writing steps, tasks, metadata and artifact records go
/// through <see cref="MetaflowMetadataClient"/> (<c>backend.GetService&lt;MetaflowMetadataClient&gt;()</c>).
/// The service version is probed once from <c>/ping</c>: tag mutation needs 2.3.0, task filtering 2.5.0.
/// Disposing the backend (the gateway's service provider does) stops the heartbeats of the runs it registered.
/// </summary>
public sealed class MetaflowBackend : MlopsBackendBase, IAsyncDisposable
{
    /// <summary>The backend kind and configuration <c>Type</c>.</summary>
    public const string KindName = "Metaflow";

    /// <summary>The service version that added run tag mutation.</summary>
    public static readonly Version TagMutationVersion = new(2, 3, 0);

    /// <summary>The service version that added <c>filtered_tasks</c>.</summary>
    public static readonly Version TaskFilteringVersion = new(2, 5, 0);

    /// <summary>The response header carrying the service version (on <c>/ping</c> and most JSON handlers).</summary>
    internal const string VersionHeader = "METADATA_SERVICE_VERSION";

    /// <summary>The longest name, type or location the service stores (VARCHAR(255)); longer rows are dropped silently server-side.</summary>
    public const int MaxFieldLength = 255;

    private static readonly BackendCapabilities StaticCapabilities = BackendCapabilities.Create(
        new Dictionary<MlopsCapability, CapabilitySupport>
        {
            [MlopsCapability.RunTracking] = CapabilitySupport.Native,
            [MlopsCapability.RunRead] = CapabilitySupport.Native,
            [MlopsCapability.RunTags] = CapabilitySupport.Native,
            [MlopsCapability.Pipelines] = CapabilitySupport.Native,
            [MlopsCapability.TaskRuns] = CapabilitySupport.Native,
        },
        new BackendLimits { MaxPageSize = 500, DefaultPageSize = 100, MaxKeyLength = MaxFieldLength },
        [
            "RunQuery.Statuses (each run's status is derived from its end step, with bounded concurrency)",
            "RunQuery.Tags",
            "RunQuery.StartedAfter / StartedBefore",
            "PipelineQuery.NameContains / Tags / IsPaused",
        ]);

    private readonly AsyncOnce<Version?> _version;
    private volatile BackendCapabilities? _refined;

    /// <summary>Creates the backend; the DI registration (<c>AddMetaflow()</c>) does this for configured backends.</summary>
    /// <param name="context">Name, options (<c>BaseUrl</c>; optional setting <c>User</c> recorded on what the gateway registers), clock and HTTP client.</param>
    public MetaflowBackend(BackendContext context) : base(context)
    {
        RunsApi = BackendApi.Create<IMetaflowRunsApi>(context, MetaflowJsonContext.Default, MetaflowErrorParser.Instance);
        TasksApi = BackendApi.Create<IMetaflowTasksApi>(context, MetaflowJsonContext.Default, MetaflowErrorParser.Instance);
        RecordsApi = BackendApi.Create<IMetaflowRecordsApi>(context, MetaflowJsonContext.Default, MetaflowErrorParser.Instance);
        Lists = new MetaflowLists(context);
        _version = new AsyncOnce<Version?>(ProbeVersionAsync);
        UserName = context.Options.GetSetting("User", Environment.UserName) ?? "mlopsgateway";
        ResolveListStatus = bool.TryParse(context.Options.GetSetting("ResolveListStatus"), out var resolve) && resolve;
        Heartbeats = new RunHeartbeats(this);
        Runs = new MetaflowRunClient(this);
        Pipelines = new MetaflowPipelineClient(this);
        Models = new UnsupportedModelRegistryClient(this,
            "Metaflow has no model registry; route Models to an MLflow or Local backend.");
        Operations = new MlopsOperations(context, KindName);
        Metadata = new MetaflowMetadataClient(this);
    }

    /// <inheritdoc/>
    public override string Kind => KindName;

    /// <summary>The statically known capabilities, narrowed once <c>/ping</c> has reported an older service (for example no RunTags before 2.3.0).</summary>
    public override BackendCapabilities Capabilities => _refined ?? StaticCapabilities;

    /// <inheritdoc/>
    public override IRunClient Runs { get; }

    /// <inheritdoc/>
    public override IPipelineClient Pipelines { get; }

    /// <inheritdoc/>
    public override IModelRegistryClient Models { get; }

    /// <summary>Metaflow-specific reads and writes the neutral model does not hold: steps, tasks, metadata rows, artifact records, heartbeats.</summary>
    internal MetaflowMetadataClient Metadata { get; }

    /// <summary>The spans and metrics of <see cref="MetaflowMetadataClient"/>'s operations.</summary>
    internal MlopsOperations Operations { get; }

    internal IMetaflowRunsApi RunsApi { get; }

    internal IMetaflowTasksApi TasksApi { get; }

    internal IMetaflowRecordsApi RecordsApi { get; }

    /// <summary>Reads the list endpoints of the three APIs element by element.</summary>
    internal MetaflowLists Lists { get; }

    internal string UserName { get; }

    /// <summary>Setting <c>ResolveListStatus</c>: derive every listed run's status (two requests a run) even without a status filter.</summary>
    internal bool ResolveListStatus { get; }

    internal RunHeartbeats Heartbeats { get; }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(Metadata) ? Metadata : base.GetService(serviceType, serviceKey);
    }

    /// <summary>Pings the service and reports the version from its <c>METADATA_SERVICE_VERSION</c> header.</summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    public override async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await PingAsync(cancellationToken).ConfigureAwait(false);
            return BackendHealth.Healthy($"Metaflow metadata service at {Context.Options.BaseUrl} answered /ping.", version);
        }
        catch (MlopsException ex)
        {
            return BackendHealth.Unhealthy($"Metaflow metadata service at {Context.Options.BaseUrl} did not answer /ping: {ex.Message}");
        }
    }

    /// <summary>Stops every heartbeat this backend keeps (a run still registered then reads failed 360 s later) and waits for beats in flight.</summary>
    public ValueTask DisposeAsync() => Heartbeats.DisposeAsync();

    /// <summary><c>GET /ping</c>: the service version from its header (null when a proxy strips it).</summary>
    private async Task<string?> PingAsync(CancellationToken ct)
    {
        using var response = await ResponseStreams.EnsureSuccessAsync(Context, await RunsApi.PingAsync(ct).ConfigureAwait(false), MetaflowErrorParser.Instance, ct)
            .ConfigureAwait(false);
        return response.Headers.TryGetValues(VersionHeader, out var values) ? values.FirstOrDefault()?.Trim() : null;
    }

    /// <summary>The service version (probed once from <c>/ping</c>); null when the header is absent (a proxy stripped it).</summary>
    internal Task<Version?> GetVersionAsync(CancellationToken ct) => _version.GetAsync(ct);

    /// <summary>
    /// Throws <see cref="MlopsNotSupportedException"/> — before the operation's own request — when the
    /// service is older than <paramref name="minimum"/>. An unknown version is given the benefit of the doubt.
    /// </summary>
    internal async Task RequireVersionAsync(Version minimum, string operation, string feature, CancellationToken ct)
    {
        var version = await GetVersionAsync(ct).ConfigureAwait(false);
        if (version is not null && version < minimum)
        {
            throw new MlopsNotSupportedException(Name, operation,
                $"the Metaflow metadata service is version {version}; {feature} needs {minimum} or newer. Upgrade metaflow-service.");
        }
    }

    /// <summary>Parses a version such as <c>2.5.1</c> or <c>2.4.0.dev1</c> (the numeric prefix).</summary>
    internal static Version? ParseVersion(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var parts = new List<int>();
        foreach (var part in text.Trim().TrimStart('v', 'V').Split('.'))
        {
            var digits = new string(part.TakeWhile(char.IsAsciiDigit).ToArray());
            if (digits.Length == 0 || parts.Count == 3)
            {
                break;
            }
            parts.Add(int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture));
            if (digits.Length != part.Length)
            {
                break;
            }
        }
        while (parts.Count < 2)
        {
            if (parts.Count == 0)
            {
                return null;
            }
            parts.Add(0);
        }
        return parts.Count == 2 ? new Version(parts[0], parts[1], 0) : new Version(parts[0], parts[1], parts[2]);
    }

    private async Task<Version?> ProbeVersionAsync(CancellationToken ct)
    {
        var version = ParseVersion(await PingAsync(ct).ConfigureAwait(false));
        if (version is not null && version < TagMutationVersion)
        {
            _refined = StaticCapabilities.With(MlopsCapability.RunTags, CapabilitySupport.None);
        }
        return version;
    }
}
