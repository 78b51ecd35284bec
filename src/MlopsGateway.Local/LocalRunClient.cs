using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using MlopsGateway.Local.Storage;

namespace MlopsGateway.Local;

/// <summary>Experiments, runs, params, metrics, tags and artifacts of the Local backend.</summary>
internal sealed class LocalRunClient : RunClientBase
{
    private readonly LocalBackend _local;

    public LocalRunClient(LocalBackend backend) : base(backend) => _local = backend;

    private LocalStore Store => _local.Store;

    private BackendLimits Limits => _local.Capabilities.Limits;

    private long NowMs => EpochTime.ToMilliseconds(Context.TimeProvider.GetUtcNow());

    // ---- experiments ----

    public override async Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        const string op = "Runs.CreateExperiment";
        RequireName(name, "experiment name", op);
        if (options?.ArtifactLocation is not null)
        {
            throw LocalErrors.Validation(Context, op, "The Local backend keeps artifacts beside its database; ExperimentCreateOptions.ArtifactLocation cannot be chosen (set the backend's ArtifactsPath instead).");
        }
        var now = NowMs;
        var id = await Store.WriteAsync((c, t) =>
        {
            if (LocalStore.Scalar(c, t, "SELECT deleted FROM experiments WHERE name = @name;", ("@name", name)) is long deleted)
            {
                throw LocalErrors.Conflict(Context, op, deleted != 0
                    ? $"Experiment '{name}' exists but is deleted; restore it with RestoreExperimentAsync or choose another name."
                    : $"Experiment '{name}' already exists.");
            }
            var newId = (long)LocalStore.Scalar(c, t,
                "INSERT INTO experiments (name, description, created_at, updated_at) VALUES (@name, @description, @now, @now) RETURNING id;",
                ("@name", name), ("@description", options?.Description), ("@now", now))!;
            foreach (var (key, value) in options?.Tags ?? new Dictionary<string, string>())
            {
                LocalStore.Execute(c, t, "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (@id, @key, @value);",
                    ("@id", newId), ("@key", key), ("@value", value));
            }
            return newId;
        }, cancellationToken).ConfigureAwait(false);
        return await GetExperimentAsync(id.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
    }

    public override Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
        => ReadExperimentAsync("id = @key", ParseId(experimentId) ?? -1, $"Experiment '{experimentId}' does not exist.", "Runs.GetExperiment", cancellationToken);

    public override Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
        => ReadExperimentAsync("name = @key", name, $"Experiment '{name}' does not exist.", "Runs.GetExperimentByName", cancellationToken);

    private async Task<Experiment> ReadExperimentAsync(string where, object key, string missing, string op, CancellationToken ct)
    {
        var found = await Store.ReadAsync(c => ReadExperiments(c, $"WHERE {where}", ("@key", key)).FirstOrDefault(), ct).ConfigureAwait(false);
        return found ?? throw LocalErrors.NotFound(Context, op, missing);
    }

    private List<Experiment> ReadExperiments(SqliteConnection c, string whereAndTail, params (string, object?)[] parameters)
    {
        var list = LocalStore.Query(c, null, $"SELECT id, name, deleted, created_at, updated_at FROM experiments {whereAndTail};", r => new Experiment
        {
            Backend = Context.Name,
            Id = r.GetInt64(0).ToString(CultureInfo.InvariantCulture),
            Name = r.GetString(1),
            State = r.GetInt64(2) != 0 ? LifecycleState.Deleted : LifecycleState.Active,
            CreatedAt = RunRows.Time(r, 3),
            UpdatedAt = RunRows.Time(r, 4),
        }, parameters);
        for (var i = 0; i < list.Count; i++)
        {
            list[i] = list[i] with
            {
                Tags = LocalStore.StringMap(c, null, "SELECT key, value FROM experiment_tags WHERE experiment_id = @id ORDER BY key;", ("@id", long.Parse(list[i].Id, CultureInfo.InvariantCulture))),
            };
        }
        return list;
    }

    public override MlopsPageable<Experiment> ListExperimentsAsync(ExperimentQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ExperimentQuery();
        var where = new StringBuilder("WHERE 1 = 1");
        if (!query.IncludeDeleted)
        {
            where.Append(" AND deleted = 0");
        }
        if (!string.IsNullOrEmpty(query.NameContains))
        {
            where.Append(" AND instr(name, @contains) > 0");
        }
        return Paged((offset, size, ct) => Store.ReadAsync(
            c => ReadExperiments(c, $"{where} ORDER BY id LIMIT @limit OFFSET @offset",
                ("@contains", query.NameContains), ("@limit", size + 1), ("@offset", offset)), ct), query.PageSize, cancellationToken);
    }

    public override Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
        => SetExperimentDeletedAsync(experimentId, true, "Runs.DeleteExperiment", cancellationToken);

    public override Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
        => SetExperimentDeletedAsync(experimentId, false, "Runs.RestoreExperiment", cancellationToken);

    private Task<int> SetExperimentDeletedAsync(string experimentId, bool deleted, string op, CancellationToken ct)
    {
        var now = NowMs;
        return Store.WriteAsync((c, t) =>
        {
            var changed = LocalStore.Execute(c, t, "UPDATE experiments SET deleted = @deleted, updated_at = @now WHERE id = @id;",
                ("@deleted", deleted ? 1 : 0), ("@now", now), ("@id", ParseId(experimentId) ?? -1));
            return changed == 0 ? throw LocalErrors.NotFound(Context, op, $"Experiment '{experimentId}' does not exist.") : changed;
        }, ct);
    }

    // ---- runs ----

    public override async Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        const string op = "Runs.CreateRun";
        options ??= new RunCreateOptions();
        var runId = options.RunId ?? Guid.NewGuid().ToString("N");
        RequireRunId(runId, op);
        var start = EpochTime.ToMilliseconds(options.StartTime ?? Context.TimeProvider.GetUtcNow());
        if (options.Tags is not null)
        {
            RunLogBatchSplitter.Validate(new RunLogBatch { Tags = options.Tags.ToArray() }, Limits);
        }
        await Store.WriteAsync((c, t) =>
        {
            var experiment = ParseId(experimentId);
            var deleted = LocalStore.Scalar(c, t, "SELECT deleted FROM experiments WHERE id = @id;", ("@id", experiment ?? -1));
            if (deleted is null)
            {
                throw LocalErrors.NotFound(Context, op, $"Experiment '{experimentId}' does not exist.");
            }
            if ((long)deleted != 0)
            {
                throw LocalErrors.Conflict(Context, op, $"Experiment '{experimentId}' is deleted; restore it before creating runs in it.");
            }
            if (RunRows.FindSeq(c, t, runId) is not null)
            {
                throw LocalErrors.Conflict(Context, op, $"Run '{runId}' already exists.");
            }
            LocalStore.Execute(c, t,
                "INSERT INTO runs (id, name, experiment_id, status, raw_status, start_time, owner) VALUES (@id, @name, @experiment, @status, @raw, @start, @owner);",
                ("@id", runId), ("@name", options.Name), ("@experiment", experiment), ("@status", (int)RunStatus.Running),
                ("@raw", RunRows.Raw(RunStatus.Running)), ("@start", start), ("@owner", _local.Owner.InstanceId));
            foreach (var (key, value) in options.Tags ?? new Dictionary<string, string>())
            {
                RunRows.SetTag(c, t, runId, key, value);
            }
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return await GetAsync(new RunRef(runId, Context.Name), cancellationToken).ConfigureAwait(false);
    }

    public override async Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        var found = await Store.ReadAsync(c => RunRows.Find(c, null, run.Id, Context.Name, _local.Artifacts), cancellationToken).ConfigureAwait(false);
        return found ?? throw MissingRun(run.Id, "Runs.Get");
    }

    public override MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new RunQuery();
        if (query.NativeFilter is not null)
        {
            throw LocalErrors.NotSupported(Context, "Runs.List", "the Local backend has no native filter language; use the RunQuery fields (tags, metric and param predicates, statuses, times).");
        }
        var (sql, parameters) = RunQuerySql.Build(query);
        return Paged((offset, size, ct) => Store.ReadAsync(
            c => RunRows.Query(c, null, sql, Context.Name, _local.Artifacts, [.. parameters, ("@limit", size + 1), ("@offset", offset)]), ct),
            query.PageSize, cancellationToken);
    }

    public override async Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default)
    {
        const string op = "Runs.LogBatch";
        ArgumentNullException.ThrowIfNull(batch);
        RunLogBatchSplitter.Validate(batch, Limits);
        if (batch.IsEmpty)
        {
            return;
        }
        await Store.WriteAsync((c, t) =>
        {
            if (RunRows.FindSeq(c, t, run.Id) is null)
            {
                throw MissingRun(run.Id, op);
            }
            foreach (var (key, value) in batch.Params)
            {
                var existing = LocalStore.Scalar(c, t, "SELECT value FROM params WHERE run_id = @id AND key = @key;", ("@id", run.Id), ("@key", key)) as string;
                if (existing is null)
                {
                    LocalStore.Execute(c, t, "INSERT INTO params (run_id, key, value) VALUES (@id, @key, @value);", ("@id", run.Id), ("@key", key), ("@value", value));
                }
                else if (!string.Equals(existing, value, StringComparison.Ordinal))
                {
                    throw LocalErrors.Conflict(Context, op, $"Param '{key}' of run '{run.Id}' is already '{existing}'; params are immutable, so it cannot become '{value}'.");
                }
            }
            foreach (var (key, value) in batch.Tags)
            {
                RunRows.SetTag(c, t, run.Id, key, value);
            }
            if (batch.Metrics.Count > 0)
            {
                InsertMetrics(c, t, run.Id, batch.Metrics);
            }
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void InsertMetrics(SqliteConnection c, SqliteTransaction t, string runId, IReadOnlyList<MetricPoint> metrics)
    {
        using var insert = LocalStore.Command(c, t,
            "INSERT INTO metrics (run_id, key, value, timestamp, step) VALUES (@id, @key, @value, @ts, @step);",
            ("@id", runId), ("@key", ""), ("@value", 0.0), ("@ts", 0L), ("@step", 0L));
        using var latest = LocalStore.Command(c, t,
            """
            INSERT INTO latest_metrics (run_id, key, value, timestamp, step) VALUES (@id, @key, @value, @ts, @step)
            ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step
            WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step AND excluded.timestamp >= latest_metrics.timestamp);
            """,
            ("@id", runId), ("@key", ""), ("@value", 0.0), ("@ts", 0L), ("@step", 0L));
        insert.Prepare();
        // The latest value per key is decided in memory (highest step, then timestamp, then last logged)
        // and upserted once per key, so a batch costs one insert per point plus one upsert per key.
        var newest = new Dictionary<string, MetricPoint>(StringComparer.Ordinal);
        foreach (var point in metrics)
        {
            Bind(insert, point);
            insert.ExecuteNonQuery();
            if (!newest.TryGetValue(point.Key, out var current) || point.Step > current.Step
                || (point.Step == current.Step && point.Timestamp >= current.Timestamp))
            {
                newest[point.Key] = point;
            }
        }
        foreach (var point in newest.Values)
        {
            Bind(latest, point);
            latest.ExecuteNonQuery();
        }

        static void Bind(SqliteCommand command, MetricPoint point)
        {
            command.Parameters["@key"].Value = point.Key;
            command.Parameters["@value"].Value = double.IsNaN(point.Value) ? DBNull.Value : point.Value;
            command.Parameters["@ts"].Value = EpochTime.ToMilliseconds(point.Timestamp);
            command.Parameters["@step"].Value = point.Step;
        }
    }

    public override Task SetTagAsync(RunRef run, string key, string value, CancellationToken cancellationToken = default)
        => LogBatchAsync(run, new RunLogBatch { Tags = [new(key, value)] }, cancellationToken);

    public override Task DeleteTagAsync(RunRef run, string key, CancellationToken cancellationToken = default)
    {
        const string op = "Runs.DeleteTag";
        return Store.WriteAsync((c, t) =>
        {
            if (RunRows.FindSeq(c, t, run.Id) is null)
            {
                throw MissingRun(run.Id, op);
            }
            var removed = LocalStore.Execute(c, t, "DELETE FROM run_tags WHERE run_id = @id AND key = @key;", ("@id", run.Id), ("@key", key));
            return removed == 0 ? throw LocalErrors.NotFound(Context, op, $"Run '{run.Id}' has no tag '{key}'.") : removed;
        }, cancellationToken);
    }

    public override MlopsPageable<MetricPoint> GetMetricHistoryAsync(RunRef run, string metricKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metricKey);
        return Paged((offset, size, ct) => Store.ReadAsync(c =>
        {
            if (offset == 0 && RunRows.FindSeq(c, null, run.Id) is null)
            {
                throw MissingRun(run.Id, "Runs.GetMetricHistory");
            }
            return LocalStore.Query(c, null,
                "SELECT value, timestamp, step FROM metrics WHERE run_id = @id AND key = @key ORDER BY step, timestamp, seq LIMIT @limit OFFSET @offset;",
                r => new MetricPoint(metricKey, r.IsDBNull(0) ? double.NaN : r.GetDouble(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetInt64(2)),
                ("@id", run.Id), ("@key", metricKey), ("@limit", size + 1), ("@offset", offset));
        }, ct), null, cancellationToken);
    }

    public override async Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default)
    {
        const string op = "Runs.End";
        if (!status.IsTerminal())
        {
            throw LocalErrors.Validation(Context, op, $"EndAsync needs a terminal status (Succeeded, Failed, Canceled or Skipped), not {status}.");
        }
        var now = NowMs;
        await Store.WriteAsync((c, t) =>
        {
            var pipeline = LocalStore.Query(c, t, "SELECT pipeline_id, status FROM runs WHERE id = @id;",
                r => (Pipeline: r.IsDBNull(0) ? null : r.GetString(0), Status: (RunStatus)r.GetInt32(1)), ("@id", run.Id));
            if (pipeline.Count == 0)
            {
                throw MissingRun(run.Id, op);
            }
            if (pipeline[0].Pipeline is not null && !pipeline[0].Status.IsTerminal())
            {
                throw LocalErrors.Validation(Context, op, $"Run '{run.Id}' is a run of pipeline '{pipeline[0].Pipeline}', which ends by itself; cancel it with CancelAsync instead.");
            }
            return LocalStore.Execute(c, t, "UPDATE runs SET status = @status, raw_status = @raw, end_time = @now WHERE id = @id;",
                ("@status", (int)status), ("@raw", RunRows.Raw(status)), ("@now", now), ("@id", run.Id));
        }, cancellationToken).ConfigureAwait(false);
        return await GetAsync(new RunRef(run.Id, Context.Name), cancellationToken).ConfigureAwait(false);
    }

    public override async Task CancelAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        const string op = "Runs.Cancel";
        var now = NowMs;
        await Store.WriteAsync((c, t) =>
        {
            var status = LocalStore.Scalar(c, t, "SELECT status FROM runs WHERE id = @id;", ("@id", run.Id));
            if (status is null)
            {
                throw MissingRun(run.Id, op);
            }
            if (((RunStatus)(long)status).IsTerminal())
            {
                return 0;
            }
            LocalStore.Execute(c, t, "UPDATE runs SET status = @canceled, raw_status = 'canceled', end_time = @now WHERE id = @id;",
                ("@canceled", (int)RunStatus.Canceled), ("@now", now), ("@id", run.Id));
            return LocalStore.Execute(c, t,
                "UPDATE task_runs SET status = @canceled, end_time = @now WHERE run_id = @id AND status IN (@queued, @running);",
                ("@canceled", (int)RunStatus.Canceled), ("@now", now), ("@id", run.Id), ("@queued", (int)RunStatus.Queued), ("@running", (int)RunStatus.Running));
        }, cancellationToken).ConfigureAwait(false);
        _local.Pipelines.SignalCancel(run.Id);
    }

    public override Task<Run> RetryAsync(RunRef run, CancellationToken cancellationToken = default)
        => _local.Pipelines.RetryAsync(run.Id, cancellationToken);

    public override async Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        _local.Pipelines.SignalCancel(run.Id);
        var seq = await Store.WriteAsync((c, t) =>
        {
            var found = RunRows.FindSeq(c, t, run.Id);
            if (found is not null)
            {
                RunRows.Delete(c, t, run.Id);
            }
            return found;
        }, cancellationToken).ConfigureAwait(false);
        if (seq is { } s)
        {
            ArtifactStore.DeleteDirectory(_local.Artifacts.RunDirectory(s));
        }
    }

    // ---- artifacts ----

    public override async Task UploadArtifactAsync(RunRef run, string path, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var full = await ResolveArtifactAsync(run, path, allowRoot: false, "Runs.UploadArtifact", cancellationToken).ConfigureAwait(false);
        await ArtifactStore.WriteAsync(full, content, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<Stream> DownloadArtifactAsync(RunRef run, string path, CancellationToken cancellationToken = default)
    {
        const string op = "Runs.DownloadArtifact";
        var full = await ResolveArtifactAsync(run, path, allowRoot: false, op, cancellationToken).ConfigureAwait(false);
        return ArtifactStore.OpenRead(full) ?? throw LocalErrors.NotFound(Context, op, $"Run '{run.Id}' has no artifact file '{path}'.");
    }

    public override MlopsPageable<ArtifactInfo> ListArtifactsAsync(RunRef run, string? path = null, CancellationToken cancellationToken = default)
    {
        const string op = "Runs.ListArtifacts";
        var relative = ArtifactStore.Normalize(path, allowRoot: true, out var error)
            ?? throw LocalErrors.Validation(Context, op, error);
        return Paged(async (offset, size, ct) =>
        {
            var directory = await RunDirectoryAsync(run.Id, op, ct).ConfigureAwait(false);
            return ArtifactStore.List(directory, relative).Skip(offset).Take(size + 1).ToList();
        }, null, cancellationToken);
    }

    private async Task<string> ResolveArtifactAsync(RunRef run, string path, bool allowRoot, string op, CancellationToken ct)
    {
        var relative = ArtifactStore.Normalize(path, allowRoot, out var error) ?? throw LocalErrors.Validation(Context, op, error);
        var directory = await RunDirectoryAsync(run.Id, op, ct).ConfigureAwait(false);
        return ArtifactStore.Resolve(directory, relative)
            ?? throw LocalErrors.Validation(Context, op, $"The artifact path '{path}' resolves outside the run's artifact directory.");
    }

    internal async Task<string> RunDirectoryAsync(string runId, string op, CancellationToken ct)
    {
        var seq = await Store.ReadAsync(c => RunRows.FindSeq(c, null, runId), ct).ConfigureAwait(false);
        return seq is { } s ? _local.Artifacts.RunDirectory(s) : throw MissingRun(runId, op);
    }

    // ---- helpers ----

    internal MlopsNotFoundException MissingRun(string runId, string op)
        => LocalErrors.NotFound(Context, op, $"Run '{runId}' does not exist in the Local backend '{Context.Name}'.");

    internal void RequireRunId(string runId, string op)
    {
        if (string.IsNullOrWhiteSpace(runId) || runId.Length > 256 || runId.Any(char.IsControl))
        {
            throw LocalErrors.Validation(Context, op, "A run id must be 1 to 256 characters without control characters.");
        }
    }

    private void RequireName(string name, string what, string op)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw LocalErrors.Validation(Context, op, $"The {what} must not be empty.");
        }
    }

    internal static long? ParseId(string? id) => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>An offset-paged listing: the fetcher returns up to size + 1 rows, the extra one only signals another page.</summary>
    internal MlopsPageable<T> Paged<T>(Func<int, int, CancellationToken, Task<List<T>>> fetch, int? pageSizeHint, CancellationToken cancellationToken)
        => LocalPaging.Create(fetch, Limits.ClampPageSize(pageSizeHint), Limits, cancellationToken);
}
