using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using MlopsGateway.Local.Storage;

namespace MlopsGateway.Local;

/// <summary>
/// Pipelines of the Local backend: .NET delegates registered in code as named steps with
/// <see cref="Register"/>, triggered like any backend's pipelines and executed in this process
/// (Queued → Running → Succeeded, Failed or Canceled), one task run per step, each with its own log.
/// A retry re-runs the steps that did not succeed. Pipelines and their versions are stored in the
/// database; the delegates live in the process, so register pipelines at start-up (or through
/// <c>AddLocal(o =&gt; o.AddPipeline(…))</c>). Step handlers registered by name with <see cref="RegisterStep(string, LocalStepHandler)"/>
/// can also be composed by an uploaded JSON definition (<see cref="UploadAsync"/>, <see cref="UploadVersionAsync"/>),
/// which is stored and triggerable after a restart once its steps are registered again.
/// Reach it as <c>backend.GetService&lt;LocalPipelineClient&gt;()</c>.
/// </summary>
public sealed class LocalPipelineClient : PipelineClientBase
{
    private static readonly TimeSpan s_shutdownGrace = TimeSpan.FromSeconds(10);

    private readonly LocalBackend _local;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, Definition>> _registry = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Execution> _executions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LocalStepHandler> _stepHandlers = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    internal LocalPipelineClient(LocalBackend backend) : base(backend)
    {
        _local = backend;
        _logger = backend.Context.LoggerFactory.CreateLogger("MlopsGateway.Local.Pipelines");
    }

    private LocalStore Store => _local.Store;

    private long NowMs => EpochTime.ToMilliseconds(Context.TimeProvider.GetUtcNow());

    /// <summary>
    /// Registers (or re-registers) a pipeline whose steps run in order. Registering the same step names
    /// again replaces the delegates of the current version; different step names create a new version.
    /// </summary>
    /// <param name="name">The pipeline id and name: 1 to 100 letters, digits, '.', '_' or '-'.</param>
    /// <param name="build">Adds the steps (<see cref="LocalPipelineBuilder.Step(string, LocalStepHandler)"/>) and an optional description.</param>
    /// <returns>The registered pipeline.</returns>
    public Pipeline Register(string name, Action<LocalPipelineBuilder> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        const string op = "Pipelines.Register";
        if (!IsValidName(name))
        {
            throw LocalErrors.Validation(Context, op, $"Pipeline name '{name}' must be 1 to 100 letters, digits, '.', '_' or '-'.");
        }
        var builder = new LocalPipelineBuilder();
        build(builder);
        if (builder.Steps.Count == 0)
        {
            throw LocalErrors.Validation(Context, op, $"Pipeline '{name}' needs at least one step.");
        }
        var signature = string.Join("\n", builder.Steps.Select(s => s.Name));
        var now = NowMs;
        var version = Store.Write((c, t) =>
        {
            LocalStore.Execute(c, t,
                "INSERT INTO pipelines (id, description, created_at) VALUES (@id, @description, @now) ON CONFLICT (id) DO UPDATE SET description = excluded.description;",
                ("@id", name), ("@description", builder.Description), ("@now", now));
            var latest = LocalStore.Query(c, t, "SELECT version, steps FROM pipeline_versions WHERE pipeline_id = @id ORDER BY version DESC LIMIT 1;",
                r => (Version: r.GetInt64(0), Steps: r.GetString(1)), ("@id", name));
            if (latest.Count == 1 && latest[0].Steps == signature)
            {
                return latest[0].Version;
            }
            var next = latest.Count == 0 ? 1 : latest[0].Version + 1;
            LocalStore.Execute(c, t, "INSERT INTO pipeline_versions (pipeline_id, version, steps, created_at) VALUES (@id, @version, @steps, @now);",
                ("@id", name), ("@version", next), ("@steps", signature), ("@now", now));
            return next;
        });
        _registry.GetOrAdd(name, _ => new ConcurrentDictionary<long, Definition>())[version] = new Definition(name, version, builder.Steps.ToArray(), Uploaded: false);
        return Store.Read(c => ReadPipelines(c, "WHERE id = @key", ("@key", name)).Single());
    }

    /// <summary>
    /// Registers (or replaces) a named step handler that uploaded definitions can use
    /// (<c>{"steps": ["load", "train"]}</c>, see <see cref="UploadAsync"/>). Handlers are bound by name when a
    /// step runs, so register them at start-up in every process that triggers uploaded pipelines.
    /// </summary>
    /// <param name="name">The step name: 1 to 100 letters, digits, '.', '_' or '-'.</param>
    /// <param name="handler">The work; it should honour its cancellation token.</param>
    public void RegisterStep(string name, LocalStepHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!IsValidName(name))
        {
            throw LocalErrors.Validation(Context, "Pipelines.RegisterStep", $"Step name '{name}' must be 1 to 100 letters, digits, '.', '_' or '-'.");
        }
        _stepHandlers[name] = handler;
    }

    /// <summary>Registers (or replaces) a synchronous named step handler for uploaded definitions.</summary>
    /// <param name="name">The step name.</param>
    /// <param name="handler">The work.</param>
    public void RegisterStep(string name, Action<LocalStepContext> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        RegisterStep(name, LocalPipelineBuilder.ToAsync(handler));
    }

    // ---- uploaded definitions ----

    /// <summary>
    /// Creates pipeline <see cref="PipelineUpload.Name"/> (version 1) from a JSON definition
    /// <c>{"steps": ["load", "train", "evaluate"], "description": "…"}</c> whose steps are handlers registered with
    /// <see cref="RegisterStep(string, LocalStepHandler)"/>. The definition is stored in the database.
    /// Throws <see cref="MlopsValidationException"/> (nothing stored) for malformed content or an unregistered
    /// step, and <see cref="MlopsConflictException"/> when the pipeline exists (upload a version instead).
    /// </summary>
    /// <param name="upload">The pipeline name (its id), the definition and an optional description (else the definition's).</param>
    /// <param name="cancellationToken">Cancels reading and storing.</param>
    public override async Task<Pipeline> UploadAsync(PipelineUpload upload, CancellationToken cancellationToken = default)
    {
        const string op = "Pipelines.Upload";
        ArgumentNullException.ThrowIfNull(upload);
        if (!IsValidName(upload.Name))
        {
            throw LocalErrors.Validation(Context, op, $"Pipeline name '{upload.Name}' must be 1 to 100 letters, digits, '.', '_' or '-'.");
        }
        var (text, definition) = await ReadUploadAsync(upload, op, cancellationToken).ConfigureAwait(false);
        var now = NowMs;
        await Store.WriteAsync((c, t) =>
        {
            if (LocalStore.Scalar(c, t, "SELECT 1 FROM pipelines WHERE id = @id;", ("@id", upload.Name)) is not null)
            {
                throw LocalErrors.Conflict(Context, op, $"Pipeline '{upload.Name}' already exists; upload a new version of it with Pipelines.UploadVersion.");
            }
            LocalStore.Execute(c, t, "INSERT INTO pipelines (id, description, created_at) VALUES (@id, @description, @now);",
                ("@id", upload.Name), ("@description", upload.Description ?? definition.Description), ("@now", now));
            return InsertUploadedVersion(c, t, upload.Name, 1, definition, text, now);
        }, cancellationToken).ConfigureAwait(false);
        AddUploaded(upload.Name, 1, definition);
        return await GetAsync(upload.Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds a version (the next number) to an existing pipeline, registered in code or uploaded, from a JSON
    /// definition (see <see cref="UploadAsync"/>); triggers without a version then run it.
    /// </summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="upload">The definition (<see cref="PipelineUpload.Name"/> is not used: Local versions are numbered).</param>
    /// <param name="cancellationToken">Cancels reading and storing.</param>
    public override async Task<PipelineVersion> UploadVersionAsync(string pipelineId, PipelineUpload upload, CancellationToken cancellationToken = default)
    {
        const string op = "Pipelines.UploadVersion";
        ArgumentNullException.ThrowIfNull(upload);
        var (text, definition) = await ReadUploadAsync(upload, op, cancellationToken).ConfigureAwait(false);
        var now = NowMs;
        var version = await Store.WriteAsync((c, t) =>
        {
            if (LocalStore.Scalar(c, t, "SELECT 1 FROM pipelines WHERE id = @id;", ("@id", pipelineId)) is null)
            {
                throw MissingPipeline(pipelineId, op);
            }
            var next = (LocalStore.Scalar(c, t, "SELECT MAX(version) FROM pipeline_versions WHERE pipeline_id = @id;", ("@id", pipelineId)) as long? ?? 0) + 1;
            return InsertUploadedVersion(c, t, pipelineId, next, definition, text, now);
        }, cancellationToken).ConfigureAwait(false);
        AddUploaded(pipelineId, version, definition);
        return await GetVersionAsync(pipelineId, version.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
    }

    private async Task<(string Text, LocalPipelineDefinition Definition)> ReadUploadAsync(PipelineUpload upload, string op, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload.Content);
        Exception Invalid(string message) => LocalErrors.Validation(Context, op, $"Pipeline definition '{upload.FileName}': {message}");
        var text = await LocalPipelineDefinition.ReadAsync(upload.Content, Invalid, ct).ConfigureAwait(false);
        var definition = LocalPipelineDefinition.Parse(text, Invalid);
        var missing = definition.Steps.FirstOrDefault(step => !_stepHandlers.ContainsKey(step));
        if (missing is not null)
        {
            throw Invalid($"step '{missing}' is not registered in this process; registered steps: {RegisteredSteps()}. Register handlers with Pipelines.RegisterStep.");
        }
        return (text, definition);
    }

    private string RegisteredSteps()
        => _stepHandlers.IsEmpty ? "(none)" : string.Join(", ", _stepHandlers.Keys.Order(StringComparer.Ordinal));

    private static long InsertUploadedVersion(SqliteConnection c, SqliteTransaction t, string pipelineId, long version, LocalPipelineDefinition definition, string text, long now)
    {
        LocalStore.Execute(c, t, "INSERT INTO pipeline_versions (pipeline_id, version, steps, created_at) VALUES (@id, @version, @steps, @now);",
            ("@id", pipelineId), ("@version", version), ("@steps", string.Join("\n", definition.Steps)), ("@now", now));
        LocalStore.Execute(c, t, "INSERT INTO pipeline_uploads (pipeline_id, version, definition) VALUES (@id, @version, @definition);",
            ("@id", pipelineId), ("@version", version), ("@definition", text));
        return version;
    }

    /// <summary>Makes an uploaded version triggerable in this process; its steps resolve their handlers by name when they run.</summary>
    private void AddUploaded(string pipelineId, long version, LocalPipelineDefinition definition)
    {
        var steps = definition.Steps.Select(name => new LocalStep(name, (context, ct) => _stepHandlers[name](context, ct))).ToArray();
        _registry.GetOrAdd(pipelineId, _ => new ConcurrentDictionary<long, Definition>()).TryAdd(version, new Definition(pipelineId, version, steps, Uploaded: true));
    }

    /// <summary>Loads the stored uploaded versions of <paramref name="pipelineId"/> not yet known to this process (after a restart).</summary>
    private void LoadUploaded(string pipelineId)
    {
        var stored = Store.Read(c => LocalStore.Query(c, null, "SELECT version, definition FROM pipeline_uploads WHERE pipeline_id = @id;",
            r => (Version: r.GetInt64(0), Text: r.GetString(1)), ("@id", pipelineId)));
        var known = _registry.TryGetValue(pipelineId, out var versions) ? versions : null;
        foreach (var (version, text) in stored)
        {
            if (known is null || !known.ContainsKey(version))
            {
                AddUploaded(pipelineId, version, LocalPipelineDefinition.Parse(text,
                    message => LocalErrors.Validation(Context, "Pipelines.Load", $"Stored definition of pipeline '{pipelineId}' version {version} is invalid: {message}")));
            }
        }
    }

    /// <summary>Fails before a run is created when an uploaded version names a step not registered in this process.</summary>
    private void RequireStepsRegistered(Definition definition, string op)
    {
        var missing = definition.Uploaded ? definition.Steps.FirstOrDefault(s => !_stepHandlers.ContainsKey(s.Name)) : null;
        if (missing is not null)
        {
            throw LocalErrors.Validation(Context, op,
                $"Version {definition.Version} of pipeline '{definition.PipelineId}' uses step '{missing.Name}', which is not registered in this process; registered steps: {RegisteredSteps()}. Register it with Pipelines.RegisterStep at start-up.");
        }
    }

    internal static bool IsValidName(string? name)
        => !string.IsNullOrEmpty(name) && name.Length <= 100 && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-');

    // ---- pipelines and versions ----

    /// <inheritdoc/>
    public override MlopsPageable<Pipeline> ListAsync(PipelineQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new PipelineQuery();
        var where = "WHERE 1 = 1";
        if (!string.IsNullOrEmpty(query.NameContains))
        {
            where += " AND instr(id, @contains) > 0";
        }
        if (query.IsPaused is { } paused)
        {
            where += paused ? " AND paused <> 0" : " AND paused = 0";
        }
        if (query.Tags.Count > 0)
        {
            where += " AND 0 = 1"; // Local pipelines carry no tags, so none has all of the requested ones.
        }
        var limits = _local.Capabilities.Limits;
        return LocalPaging.Create((offset, size, ct) => Store.ReadAsync(
            c => ReadPipelines(c, $"{where} ORDER BY id LIMIT @limit OFFSET @offset", ("@contains", query.NameContains), ("@limit", size + 1), ("@offset", offset)), ct),
            limits.ClampPageSize(query.PageSize), limits, cancellationToken);
    }

    /// <inheritdoc/>
    public override async Task<Pipeline> GetAsync(string pipelineId, CancellationToken cancellationToken = default)
        => await FindPipelineAsync(pipelineId, cancellationToken).ConfigureAwait(false)
           ?? throw MissingPipeline(pipelineId, "Pipelines.Get");

    /// <inheritdoc/>
    public override async Task<Pipeline> GetByNameAsync(string name, CancellationToken cancellationToken = default)
        => await FindPipelineAsync(name, cancellationToken).ConfigureAwait(false)
           ?? throw MissingPipeline(name, "Pipelines.GetByName");

    private Task<Pipeline?> FindPipelineAsync(string id, CancellationToken ct)
        => Store.ReadAsync(c => ReadPipelines(c, "WHERE id = @key", ("@key", id)).FirstOrDefault(), ct);

    private List<Pipeline> ReadPipelines(SqliteConnection c, string whereAndTail, params (string, object?)[] parameters)
        => LocalStore.Query(c, null, $"SELECT id, description, paused, created_at FROM pipelines {whereAndTail};", r => new Pipeline
        {
            Backend = Context.Name,
            Id = r.GetString(0),
            Name = r.GetString(0),
            Description = r.IsDBNull(1) ? null : r.GetString(1),
            IsPaused = r.GetInt64(2) != 0,
            CreatedAt = RunRows.Time(r, 3),
        }, parameters);

    /// <inheritdoc/>
    public override async Task DeleteAsync(string pipelineId, CancellationToken cancellationToken = default)
    {
        await Store.WriteAsync((c, t) =>
        {
            var removed = LocalStore.Execute(c, t, "DELETE FROM pipelines WHERE id = @id;", ("@id", pipelineId));
            LocalStore.Execute(c, t, "DELETE FROM pipeline_versions WHERE pipeline_id = @id;", ("@id", pipelineId));
            LocalStore.Execute(c, t, "DELETE FROM pipeline_uploads WHERE pipeline_id = @id;", ("@id", pipelineId));
            return removed == 0 ? throw MissingPipeline(pipelineId, "Pipelines.Delete") : removed;
        }, cancellationToken).ConfigureAwait(false);
        _registry.TryRemove(pipelineId, out _);
    }

    /// <inheritdoc/>
    public override MlopsPageable<PipelineVersion> ListVersionsAsync(string pipelineId, PipelineVersionQuery? query = null, CancellationToken cancellationToken = default)
    {
        var limits = _local.Capabilities.Limits;
        return LocalPaging.Create((offset, size, ct) => Store.ReadAsync(c =>
        {
            if (offset == 0 && LocalStore.Scalar(c, null, "SELECT 1 FROM pipelines WHERE id = @id;", ("@id", pipelineId)) is null)
            {
                throw MissingPipeline(pipelineId, "Pipelines.ListVersions");
            }
            return ReadVersions(c, "WHERE pipeline_id = @id ORDER BY version DESC LIMIT @limit OFFSET @offset", ("@id", pipelineId), ("@limit", size + 1), ("@offset", offset));
        }, ct), limits.ClampPageSize(query?.PageSize), limits, cancellationToken);
    }

    /// <inheritdoc/>
    public override async Task<PipelineVersion> GetVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default)
    {
        var found = await Store.ReadAsync(c => ReadVersions(c, "WHERE pipeline_id = @id AND version = @version",
            ("@id", pipelineId), ("@version", LocalRunClient.ParseId(versionId) ?? -1)).FirstOrDefault(), cancellationToken).ConfigureAwait(false);
        return found ?? throw LocalErrors.NotFound(Context, "Pipelines.GetVersion", $"Pipeline '{pipelineId}' has no version '{versionId}'.");
    }

    private List<PipelineVersion> ReadVersions(SqliteConnection c, string whereAndTail, params (string, object?)[] parameters)
        => LocalStore.Query(c, null, $"SELECT pipeline_id, version, steps, created_at FROM pipeline_versions {whereAndTail};", r => new PipelineVersion
        {
            Backend = Context.Name,
            PipelineId = r.GetString(0),
            Id = r.GetInt64(1).ToString(CultureInfo.InvariantCulture),
            Name = "v" + r.GetInt64(1).ToString(CultureInfo.InvariantCulture),
            Description = "steps: " + r.GetString(2).Replace("\n", " → ", StringComparison.Ordinal),
            CreatedAt = RunRows.Time(r, 3),
        }, parameters);

    /// <inheritdoc/>
    public override async Task DeleteVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default)
    {
        var version = LocalRunClient.ParseId(versionId) ?? -1;
        await Store.WriteAsync((c, t) =>
        {
            var removed = LocalStore.Execute(c, t, "DELETE FROM pipeline_versions WHERE pipeline_id = @id AND version = @version;", ("@id", pipelineId), ("@version", version));
            LocalStore.Execute(c, t, "DELETE FROM pipeline_uploads WHERE pipeline_id = @id AND version = @version;", ("@id", pipelineId), ("@version", version));
            return removed == 0 ? throw LocalErrors.NotFound(Context, "Pipelines.DeleteVersion", $"Pipeline '{pipelineId}' has no version '{versionId}'.") : removed;
        }, cancellationToken).ConfigureAwait(false);
        if (_registry.TryGetValue(pipelineId, out var versions))
        {
            versions.TryRemove(version, out _);
        }
    }

    /// <inheritdoc/>
    public override Task<Pipeline> PauseAsync(string pipelineId, CancellationToken cancellationToken = default)
        => SetPausedAsync(pipelineId, true, "Pipelines.Pause", cancellationToken);

    /// <inheritdoc/>
    public override async Task<Pipeline> ResumeAsync(string pipelineId, CancellationToken cancellationToken = default)
    {
        var pipeline = await SetPausedAsync(pipelineId, false, "Pipelines.Resume", cancellationToken).ConfigureAwait(false);
        var queued = await Store.ReadAsync(c => LocalStore.Query(c, null,
            "SELECT id, pipeline_version FROM runs WHERE pipeline_id = @id AND status = @queued AND owner = @owner ORDER BY seq;",
            r => (Id: r.GetString(0), Version: r.GetString(1)),
            ("@id", pipelineId), ("@queued", (int)RunStatus.Queued), ("@owner", _local.Owner.InstanceId)), cancellationToken).ConfigureAwait(false);
        foreach (var (runId, version) in queued)
        {
            if (TryGetDefinition(pipelineId, version, out var definition))
            {
                Start(runId, definition);
            }
        }
        return pipeline;
    }

    private async Task<Pipeline> SetPausedAsync(string pipelineId, bool paused, string op, CancellationToken ct)
    {
        await Store.WriteAsync((c, t) =>
        {
            var changed = LocalStore.Execute(c, t, "UPDATE pipelines SET paused = @paused WHERE id = @id;", ("@paused", paused ? 1 : 0), ("@id", pipelineId));
            return changed == 0 ? throw MissingPipeline(pipelineId, op) : changed;
        }, ct).ConfigureAwait(false);
        return await GetAsync(pipelineId, ct).ConfigureAwait(false);
    }

    // ---- triggering and execution ----

    /// <inheritdoc/>
    public override async Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default)
    {
        const string op = "Pipelines.Trigger";
        options ??= new TriggerOptions();
        var pipeline = await FindPipelineAsync(pipelineId, cancellationToken).ConfigureAwait(false) ?? throw MissingPipeline(pipelineId, op);
        LoadUploaded(pipelineId);
        if (!_registry.TryGetValue(pipelineId, out var versions) || versions.IsEmpty)
        {
            throw LocalErrors.Validation(Context, op,
                $"Pipeline '{pipelineId}' is stored in the database but its steps are not registered in this process; call Pipelines.Register(\"{pipelineId}\", …) at start-up.");
        }
        Definition? definition;
        if (options.VersionId is null)
        {
            definition = versions[versions.Keys.Max()];
        }
        else if (!TryGetDefinition(pipelineId, options.VersionId, out definition))
        {
            throw LocalErrors.NotFound(Context, op, $"Pipeline '{pipelineId}' has no version '{options.VersionId}' registered in this process.");
        }
        RequireStepsRegistered(definition, op);

        var runId = options.RunId ?? Guid.NewGuid().ToString("N");
        _local.LocalRuns.RequireRunId(runId, op);
        var experiment = options.ExperimentId is null ? (long?)null : LocalRunClient.ParseId(options.ExperimentId) ?? -1;
        var parameters = ParamFormatter.FormatAll(options.Parameters);
        var now = NowMs;
        await Store.WriteAsync((c, t) =>
        {
            if (experiment is { } e && LocalStore.Scalar(c, t, "SELECT 1 FROM experiments WHERE id = @id;", ("@id", e)) is null)
            {
                throw LocalErrors.NotFound(Context, op, $"Experiment '{options.ExperimentId}' does not exist.");
            }
            if (RunRows.FindSeq(c, t, runId) is not null)
            {
                throw LocalErrors.Conflict(Context, op, $"Run '{runId}' already exists.");
            }
            LocalStore.Execute(c, t,
                """
                INSERT INTO runs (id, name, experiment_id, pipeline_id, pipeline_version, trigger_params, status, raw_status, owner)
                VALUES (@id, @name, @experiment, @pipeline, @version, @params, @status, 'queued', @owner);
                """,
                ("@id", runId), ("@name", options.RunName), ("@experiment", experiment), ("@pipeline", pipelineId),
                ("@version", definition.Version.ToString(CultureInfo.InvariantCulture)), ("@params", options.Parameters?.ToJsonString() ?? "{}"),
                ("@status", (int)RunStatus.Queued), ("@owner", _local.Owner.InstanceId));
            foreach (var (key, value) in parameters)
            {
                LocalStore.Execute(c, t, "INSERT INTO params (run_id, key, value) VALUES (@id, @key, @value);", ("@id", runId), ("@key", key), ("@value", value));
            }
            if (options.Note is not null)
            {
                RunRows.SetTag(c, t, runId, "note", options.Note);
            }
            for (var i = 0; i < definition.Steps.Count; i++)
            {
                LocalStore.Execute(c, t, "INSERT INTO task_runs (run_id, task_id, ordinal, status) VALUES (@id, @task, @ordinal, @status);",
                    ("@id", runId), ("@task", definition.Steps[i].Name), ("@ordinal", i), ("@status", (int)RunStatus.Queued));
            }
            return now;
        }, cancellationToken).ConfigureAwait(false);

        var run = await _local.LocalRuns.GetAsync(new RunRef(runId, Context.Name), cancellationToken).ConfigureAwait(false);
        if (pipeline.IsPaused != true)
        {
            Start(runId, definition);
        }
        return run;
    }

    internal async Task<Run> RetryAsync(string runId, CancellationToken ct)
    {
        const string op = "Runs.Retry";
        var rows = await Store.ReadAsync(c => LocalStore.Query(c, null, "SELECT pipeline_id, pipeline_version, status FROM runs WHERE id = @id;",
            r => (Pipeline: r.IsDBNull(0) ? null : r.GetString(0), Version: r.IsDBNull(1) ? null : r.GetString(1), Status: (RunStatus)r.GetInt32(2)),
            ("@id", runId)), ct).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            throw _local.LocalRuns.MissingRun(runId, op);
        }
        var (pipelineId, version, status) = rows[0];
        if (pipelineId is null)
        {
            throw LocalErrors.Validation(Context, op, $"Run '{runId}' is a tracked run, not a pipeline run; only pipeline runs can be retried.");
        }
        if (!status.IsTerminal())
        {
            throw LocalErrors.Conflict(Context, op, $"Run '{runId}' is still {status}; retry it once it has ended.");
        }
        if (status == RunStatus.Succeeded)
        {
            return await _local.LocalRuns.GetAsync(new RunRef(runId, Context.Name), ct).ConfigureAwait(false);
        }
        LoadUploaded(pipelineId);
        if (!TryGetDefinition(pipelineId, version!, out var definition))
        {
            throw LocalErrors.Validation(Context, op, $"Version {version} of pipeline '{pipelineId}' is not registered in this process; register it before retrying.");
        }
        RequireStepsRegistered(definition, op);
        var paused = await Store.ReadAsync(c => LocalStore.Scalar(c, null, "SELECT paused FROM pipelines WHERE id = @id;", ("@id", pipelineId)), ct).ConfigureAwait(false);
        await Store.WriteAsync((c, t) =>
        {
            LocalStore.Execute(c, t, "UPDATE runs SET status = @queued, raw_status = 'queued', end_time = NULL, owner = @owner WHERE id = @id;",
                ("@queued", (int)RunStatus.Queued), ("@owner", _local.Owner.InstanceId), ("@id", runId));
            LocalStore.Execute(c, t, "DELETE FROM run_tags WHERE run_id = @id AND key = @key;", ("@id", runId), ("@key", Recovery.FailureTag));
            return LocalStore.Execute(c, t, "UPDATE task_runs SET status = @queued, end_time = NULL WHERE run_id = @id AND status <> @succeeded;",
                ("@queued", (int)RunStatus.Queued), ("@id", runId), ("@succeeded", (int)RunStatus.Succeeded));
        }, ct).ConfigureAwait(false);
        var run = await _local.LocalRuns.GetAsync(new RunRef(runId, Context.Name), ct).ConfigureAwait(false);
        if (paused is not long p || p == 0)
        {
            Start(runId, definition);
        }
        return run;
    }

    private bool TryGetDefinition(string pipelineId, string version, out Definition definition)
    {
        definition = null!;
        return _registry.TryGetValue(pipelineId, out var versions)
               && LocalRunClient.ParseId(version) is { } v
               && versions.TryGetValue(v, out definition!);
    }

    internal void SignalCancel(string runId)
    {
        if (_executions.TryGetValue(runId, out var execution))
        {
            execution.Cancel();
        }
    }

    private void Start(string runId, Definition definition)
    {
        if (_local.Shutdown.IsCancellationRequested)
        {
            return; // disposed: the run stays Queued and is failed by the next open's recovery
        }
        var execution = new Execution(CancellationTokenSource.CreateLinkedTokenSource(_local.Shutdown.Token));
        if (!_executions.TryAdd(runId, execution))
        {
            // A previous execution of this run (one that just ended it, before a retry) is still cleaning
            // up: start again once it is gone. The new execution only proceeds if the run is still Queued.
            execution.Dispose();
            if (_executions.TryGetValue(runId, out var previous))
            {
                _ = previous.Completion.ContinueWith(_ => Start(runId, definition), CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            else
            {
                Start(runId, definition);
            }
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await ExecuteAsync(runId, definition, execution.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Local pipeline run {RunId} stopped: the backend was disposed or its database failed.", runId);
            }
            finally
            {
                _executions.TryRemove(runId, out _);
                execution.Dispose();
            }
        }, CancellationToken.None);
    }

    private async Task ExecuteAsync(string runId, Definition definition, CancellationToken ct)
    {
        var claimed = await Store.WriteAsync((c, t) => LocalStore.Execute(c, t,
            "UPDATE runs SET status = @running, raw_status = 'running', owner = @owner, start_time = COALESCE(start_time, @now) WHERE id = @id AND status = @queued;",
            ("@running", (int)RunStatus.Running), ("@owner", _local.Owner.InstanceId), ("@now", NowMs), ("@id", runId), ("@queued", (int)RunStatus.Queued)),
            CancellationToken.None).ConfigureAwait(false);
        if (claimed == 0)
        {
            return; // cancelled, deleted or claimed by another instance meanwhile
        }
        var parametersJson = await Store.ReadAsync(c => LocalStore.Scalar(c, null, "SELECT trigger_params FROM runs WHERE id = @id;", ("@id", runId)) as string,
            CancellationToken.None).ConfigureAwait(false);

        foreach (var step in definition.Steps)
        {
            var attempt = await ClaimTaskAsync(runId, step.Name).ConfigureAwait(false);
            if (attempt == 0)
            {
                continue;
            }
            if (attempt < 0)
            {
                return;
            }
            var run = await _local.LocalRuns.GetAsync(new RunRef(runId, Context.Name), CancellationToken.None).ConfigureAwait(false);
            var parameters = JsonNode.Parse(parametersJson ?? "{}") as JsonObject ?? [];
            using var log = new TaskLogWriter(Store, runId, step.Name, attempt);
            try
            {
                ct.ThrowIfCancellationRequested();
                await step.Handler(new LocalStepContext(_local, run, step.Name, attempt, parameters, log), ct).ConfigureAwait(false);
                log.Flush();
                await EndTaskAsync(runId, step.Name, RunStatus.Succeeded).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                var closing = _local.Shutdown.IsCancellationRequested;
                log.WriteLine(closing ? "Step stopped: the Local backend was disposed." : "Step canceled.");
                log.Flush();
                await EndRunAsync(runId, step.Name, closing ? RunStatus.Failed : RunStatus.Canceled,
                    closing ? RunStatus.Skipped : RunStatus.Canceled).ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                log.WriteLine($"Step failed: {ex.GetType().Name}: {ex.Message}");
                log.Flush();
                await EndRunAsync(runId, step.Name, RunStatus.Failed, RunStatus.Skipped).ConfigureAwait(false);
                return;
            }
        }
        await Store.WriteAsync((c, t) => LocalStore.Execute(c, t,
            "UPDATE runs SET status = @succeeded, raw_status = 'succeeded', end_time = @now WHERE id = @id AND status = @running;",
            ("@succeeded", (int)RunStatus.Succeeded), ("@now", NowMs), ("@id", runId), ("@running", (int)RunStatus.Running)),
            CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Moves a step's task to Running with the next attempt: the attempt, 0 when it already succeeded, -1 when the run is no longer Running.</summary>
    private Task<int> ClaimTaskAsync(string runId, string taskId) => Store.WriteAsync((c, t) =>
    {
        var runStatus = LocalStore.Scalar(c, t, "SELECT status FROM runs WHERE id = @id;", ("@id", runId));
        if (runStatus is not long s || (RunStatus)s != RunStatus.Running)
        {
            return -1;
        }
        var task = LocalStore.Query(c, t, "SELECT status, attempt FROM task_runs WHERE run_id = @id AND task_id = @task;",
            r => (Status: (RunStatus)r.GetInt32(0), Attempt: r.GetInt32(1)), ("@id", runId), ("@task", taskId));
        if (task.Count == 0 || task[0].Status == RunStatus.Succeeded)
        {
            return 0;
        }
        var attempt = task[0].Attempt + 1;
        LocalStore.Execute(c, t,
            "UPDATE task_runs SET status = @running, attempt = @attempt, start_time = @now, end_time = NULL WHERE run_id = @id AND task_id = @task;",
            ("@running", (int)RunStatus.Running), ("@attempt", attempt), ("@now", NowMs), ("@id", runId), ("@task", taskId));
        return attempt;
    }, CancellationToken.None);

    private Task<int> EndTaskAsync(string runId, string taskId, RunStatus status) => Store.WriteAsync((c, t) => LocalStore.Execute(c, t,
        "UPDATE task_runs SET status = @status, end_time = @now WHERE run_id = @id AND task_id = @task AND status = @running;",
        ("@status", (int)status), ("@now", NowMs), ("@id", runId), ("@task", taskId), ("@running", (int)RunStatus.Running)), CancellationToken.None);

    /// <summary>Ends the failing or cancelled task with <paramref name="status"/>, the remaining queued tasks with <paramref name="rest"/>, and the run with <paramref name="status"/> unless it already ended.</summary>
    private Task<int> EndRunAsync(string runId, string taskId, RunStatus status, RunStatus rest) => Store.WriteAsync((c, t) =>
    {
        var now = NowMs;
        LocalStore.Execute(c, t, "UPDATE task_runs SET status = @status, end_time = @now WHERE run_id = @id AND task_id = @task AND status = @running;",
            ("@status", (int)status), ("@now", now), ("@id", runId), ("@task", taskId), ("@running", (int)RunStatus.Running));
        LocalStore.Execute(c, t, "UPDATE task_runs SET status = @rest, end_time = @now WHERE run_id = @id AND status = @queued;",
            ("@rest", (int)rest), ("@now", now), ("@id", runId), ("@queued", (int)RunStatus.Queued));
        return LocalStore.Execute(c, t, "UPDATE runs SET status = @status, raw_status = @raw, end_time = @now WHERE id = @id AND status IN (@queued, @running);",
            ("@status", (int)status), ("@raw", RunRows.Raw(status)), ("@now", now), ("@id", runId), ("@queued", (int)RunStatus.Queued), ("@running", (int)RunStatus.Running));
    }, CancellationToken.None);

    /// <summary>Cancels every execution and waits (up to a grace period, real time) for them to record how they ended.</summary>
    internal async Task StopAllAsync()
    {
        await _local.Shutdown.CancelAsync().ConfigureAwait(false);
        var running = _executions.Values.Select(e => e.Completion).ToArray();
        if (running.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(running), Task.Delay(s_shutdownGrace, TimeProvider.System)).ConfigureAwait(false);
        }
    }

    // ---- task runs and logs ----

    /// <inheritdoc/>
    public override MlopsPageable<TaskRun> ListTaskRunsAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        var limits = _local.Capabilities.Limits;
        return LocalPaging.Create((offset, size, ct) => Store.ReadAsync(c =>
        {
            if (offset == 0 && RunRows.FindSeq(c, null, run.Id) is null)
            {
                throw _local.LocalRuns.MissingRun(run.Id, "Pipelines.ListTaskRuns");
            }
            return ReadTasks(c, "WHERE run_id = @id ORDER BY ordinal LIMIT @limit OFFSET @offset", ("@id", run.Id), ("@limit", size + 1), ("@offset", offset));
        }, ct), limits.DefaultPageSize, limits, cancellationToken);
    }

    private List<TaskRun> ReadTasks(SqliteConnection c, string whereAndTail, params (string, object?)[] parameters)
        => LocalStore.Query(c, null, $"SELECT run_id, task_id, status, attempt, start_time, end_time FROM task_runs {whereAndTail};", r => new TaskRun
        {
            Backend = Context.Name,
            RunId = r.GetString(0),
            Id = r.GetString(1),
            Name = r.GetString(1),
            Status = (RunStatus)r.GetInt32(2),
            RawStatus = RunRows.Raw((RunStatus)r.GetInt32(2)),
            Attempt = r.GetInt32(3),
            StartTime = RunRows.Time(r, 4),
            EndTime = RunRows.Time(r, 5),
        }, parameters);

    /// <inheritdoc/>
    public override IAsyncEnumerable<string> ReadTaskLogAsync(RunRef run, string taskId, TaskLogOptions? options = null, CancellationToken cancellationToken = default)
        => ReadTaskLogCoreAsync(MlopsGuard.RunId(run), taskId, options ?? new TaskLogOptions(), cancellationToken);

    private async IAsyncEnumerable<string> ReadTaskLogCoreAsync(string runId, string taskId, TaskLogOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        const string op = "Pipelines.ReadTaskLog";
        const int batchSize = 1000;
        var task = await ReadTaskAsync(runId, taskId, op, ct).ConfigureAwait(false);
        var attempt = options.Attempt ?? Math.Max(1, task.Attempt); // a task not started yet: follow its first attempt
        long last = 0;
        var finished = false;
        while (true)
        {
            var lines = await Store.ReadAsync(c => LocalStore.Query(c, null,
                "SELECT seq, line FROM task_logs WHERE run_id = @id AND task_id = @task AND attempt = @attempt AND seq > @last ORDER BY seq LIMIT @limit;",
                r => (Seq: r.GetInt64(0), Line: r.GetString(1)),
                ("@id", runId), ("@task", taskId), ("@attempt", attempt), ("@last", last), ("@limit", batchSize)), ct).ConfigureAwait(false);
            foreach (var (seq, line) in lines)
            {
                last = seq;
                yield return line;
            }
            if (lines.Count == batchSize)
            {
                continue;
            }
            if (!options.Follow || finished)
            {
                yield break;
            }
            var current = await ReadTaskAsync(runId, taskId, op, ct).ConfigureAwait(false);
            finished = current.Status.IsTerminal() || current.Attempt > attempt;
            if (!finished)
            {
                await Task.Delay(options.PollInterval, Context.TimeProvider, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<TaskRun> ReadTaskAsync(string runId, string taskId, string op, CancellationToken ct)
    {
        var found = await Store.ReadAsync(c => RunRows.FindSeq(c, null, runId) is null
            ? throw _local.LocalRuns.MissingRun(runId, op)
            : ReadTasks(c, "WHERE run_id = @id AND task_id = @task", ("@id", runId), ("@task", taskId)).FirstOrDefault(), ct).ConfigureAwait(false);
        return found ?? throw LocalErrors.NotFound(Context, op, $"Run '{runId}' has no task '{taskId}'.");
    }

    private MlopsNotFoundException MissingPipeline(string pipelineId, string op)
        => LocalErrors.NotFound(Context, op, $"Pipeline '{pipelineId}' does not exist in the Local backend '{Context.Name}'.");

    private sealed record Definition(string PipelineId, long Version, IReadOnlyList<LocalStep> Steps, bool Uploaded);

    private sealed class Execution(CancellationTokenSource cancellation) : IDisposable
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _disposed;

        public CancellationToken Token => cancellation.Token;

        public Task Completion => _done.Task;

        public void Cancel()
        {
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // finished meanwhile
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _done.TrySetResult();
                cancellation.Dispose();
            }
        }
    }
}
