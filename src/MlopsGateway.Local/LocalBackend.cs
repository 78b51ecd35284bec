using MlopsGateway.Local.Storage;

namespace MlopsGateway.Local;

/// <summary>
/// The embedded backend: experiments, runs, params, metric history, tags, artifacts, a model registry
/// and in-process pipelines, stored in SQLite (a WAL-mode file, or memory) with files beside the
/// database. It needs no server and supports every neutral operation: pipelines are .NET delegates registered
/// with <see cref="LocalPipelineClient.Register"/>, or uploaded JSON definitions composing steps registered
/// with <see cref="LocalPipelineClient.RegisterStep(string, LocalStepHandler)"/>.
/// Build it through DI with <c>AddLocal()</c> (configuration <c>Type: Local</c>, <c>Path</c>) or directly
/// with <see cref="Open"/>. Thread-safe; several instances and processes may share one database file.
/// Dispose it to stop running pipelines and release the file.
/// </summary>
public sealed class LocalBackend : MlopsBackendBase, IAsyncDisposable, IDisposable
{
    /// <summary>The configuration <c>Type</c> and the <see cref="IMlopsBackend.Kind"/> of this backend.</summary>
    public const string TypeName = "Local";

    /// <summary>The database file used when no <c>Path</c> is configured (relative to the working directory).</summary>
    public const string DefaultPath = "mlops-local.db";

    /// <summary>The <c>Path</c> value that keeps the database in memory (artifacts go to a temporary directory deleted on dispose).</summary>
    public const string InMemoryPath = ":memory:";

    private static readonly BackendLimits s_limits = new()
    {
        // Key and value lengths match MLflow's, so a project developed on Local moves to MLflow without new failures.
        MaxKeyLength = 250,
        MaxParamValueLength = 6000,
        MaxTagValueLength = 8000,
        // One SQLite transaction per batch: large batches amortise the commit; one writer at a time.
        MaxMetricsPerBatch = 5000,
        MaxParamsPerBatch = 1000,
        MaxTagsPerBatch = 1000,
        MaxEntitiesPerBatch = 7000,
        MaxPageSize = 1000,
        DefaultPageSize = 100,
        DefaultParallelBatches = 1,
    };

    private static readonly BackendCapabilities s_capabilities = BackendCapabilities.Create(
        Enum.GetValues<MlopsCapability>()
            .ToDictionary(c => c, _ => CapabilitySupport.Native),
        s_limits);

    private readonly LocalRunClient _runs;
    private readonly LocalPipelineClient _pipelines;
    private readonly LocalModelRegistryClient _models;
    private readonly CancellationTokenSource _shutdown = new();
    private int _disposed;

    /// <summary>Opens the database named by the context's <c>Path</c> setting (default <see cref="DefaultPath"/>).</summary>
    /// <param name="context">Name, options (<c>Path</c>, optional <c>ArtifactsPath</c>) and clock.</param>
    /// <param name="options">Pipelines to register at start-up.</param>
    public LocalBackend(BackendContext context, LocalBackendOptions? options = null)
        : this(context, options, OwnerIdentity.ForCurrentProcess())
    {
    }

    internal LocalBackend(BackendContext context, LocalBackendOptions? options, OwnerIdentity owner) : base(context)
    {
        Owner = owner;
        var path = context.Options.GetSetting("Path", DefaultPath)!;
        Store = LocalStore.Open(path);
        try
        {
            var artifactsPath = context.Options.GetSetting("ArtifactsPath");
            Artifacts = Store.InMemory
                ? new ArtifactStore(artifactsPath ?? Path.Combine(Path.GetTempPath(), $"mlops-local-{Guid.NewGuid():N}"), deleteOnDispose: artifactsPath is null)
                : new ArtifactStore(artifactsPath ?? DefaultArtifactsPath(Store.DatabasePath!), deleteOnDispose: false);
            Recovery.Run(Store, owner, context.TimeProvider.GetUtcNow());
            _runs = new LocalRunClient(this);
            _pipelines = new LocalPipelineClient(this);
            _models = new LocalModelRegistryClient(this);
            foreach (var (name, handler) in options?.Steps ?? [])
            {
                _pipelines.RegisterStep(name, handler);
            }
            foreach (var (name, build) in options?.Pipelines ?? [])
            {
                _pipelines.Register(name, build);
            }
        }
        catch
        {
            Store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a Local backend without dependency injection (no telemetry decorator: spans come only from
    /// backends resolved through <c>AddMlopsGateway</c>).
    /// </summary>
    /// <param name="path">The database file, or <see cref="InMemoryPath"/>.</param>
    /// <param name="timeProvider">The clock for timestamps and polling; the system clock when null.</param>
    /// <param name="name">The backend name stamped on returned objects.</param>
    public static LocalBackend Open(string path = DefaultPath, TimeProvider? timeProvider = null, string name = "local")
    {
        MlopsGuard.NotBlank(path);
        var options = new BackendOptions { Type = TypeName };
        options.Settings["Path"] = path;
        return new LocalBackend(new BackendContext(name, options, timeProvider));
    }

    /// <summary>Where artifacts go for a database file when no <c>ArtifactsPath</c> is set: <c>{file name}.artifacts</c> beside it.</summary>
    /// <param name="databasePath">The database file.</param>
    public static string DefaultArtifactsPath(string databasePath) => Path.GetFullPath(databasePath) + ".artifacts";

    internal LocalStore Store { get; }

    internal ArtifactStore Artifacts { get; }

    internal OwnerIdentity Owner { get; }

    /// <summary>Cancelled when the backend is disposed: stops every pipeline execution.</summary>
    internal CancellationTokenSource Shutdown => _shutdown;

    internal LocalRunClient LocalRuns => _runs;

    /// <summary>The database file's full path, or null when the database is in memory.</summary>
    public string? DatabasePath => Store.DatabasePath;

    /// <summary>The directory holding run artifacts and model-version files.</summary>
    public string ArtifactsRoot => Artifacts.Root;

    /// <inheritdoc/>
    public override string Kind => TypeName;

    /// <inheritdoc/>
    public override BackendCapabilities Capabilities => s_capabilities;

    /// <inheritdoc/>
    public override IRunClient Runs => _runs;

    /// <summary>Pipelines: register .NET delegates as named steps, then trigger them like any backend's pipelines.</summary>
    public override LocalPipelineClient Pipelines => _pipelines;

    /// <inheritdoc/>
    public override IModelRegistryClient Models => _models;

    /// <inheritdoc/>
    public override async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Store.ReadAsync(c => LocalStore.Scalar(c, null, "SELECT 1 FROM runs LIMIT 1;"), cancellationToken).ConfigureAwait(false);
            return BackendHealth.Healthy(Store.InMemory ? "SQLite in memory" : $"SQLite database {Store.DatabasePath}", Store.SqliteVersion);
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            return BackendHealth.Unhealthy($"SQLite error {ex.SqliteErrorCode}: {ex.Message}");
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _pipelines.StopAllAsync().ConfigureAwait(false);
        _shutdown.Dispose();
        Store.Dispose();
        if (Artifacts.DeleteOnDispose)
        {
            Artifacts.DeleteRoot();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
