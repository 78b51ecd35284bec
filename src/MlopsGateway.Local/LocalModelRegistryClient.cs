using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using MlopsGateway.Local.Storage;

namespace MlopsGateway.Local;

/// <summary>
/// The Local model registry: models, versions numbered "1", "2" … (never reused), aliases, the legacy
/// stages None/Staging/Production/Archived, tags, and version files. A version's files are a copy made
/// when it is created, of a run's artifacts (<c>runs:/{runId}/{path}</c>, or a bare artifact path with
/// <see cref="ModelVersionCreateOptions.Run"/>) or of a local file or directory; any other URI is
/// recorded as the source without files.
/// </summary>
internal sealed class LocalModelRegistryClient : ModelRegistryClientBase
{
    private static readonly string[] s_stages = ["None", "Staging", "Production", "Archived"];
    private static readonly string[] s_modelTables = ["model_tags", "model_versions", "model_version_tags", "model_aliases"];
    private static readonly string[] s_versionTables = ["model_versions", "model_version_tags", "model_aliases"];

    private readonly LocalBackend _local;

    public LocalModelRegistryClient(LocalBackend backend) : base(backend) => _local = backend;

    private LocalStore Store => _local.Store;

    private long NowMs => EpochTime.ToMilliseconds(Context.TimeProvider.GetUtcNow());

    // ---- models ----

    public override async Task<RegisteredModel> CreateModelAsync(string name, ModelCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        const string op = "Models.CreateModel";
        if (string.IsNullOrWhiteSpace(name))
        {
            throw LocalErrors.Validation(Context, op, "A model name must not be empty.");
        }
        var now = NowMs;
        await Store.WriteAsync((c, t) =>
        {
            if (ModelId(c, t, name) is not null)
            {
                throw LocalErrors.Conflict(Context, op, $"Model '{name}' already exists.");
            }
            var id = (long)LocalStore.Scalar(c, t, "INSERT INTO models (name, description, created_at, updated_at) VALUES (@name, @description, @now, @now) RETURNING id;",
                ("@name", name), ("@description", options?.Description), ("@now", now))!;
            foreach (var (key, value) in options?.Tags ?? new Dictionary<string, string>())
            {
                LocalStore.Execute(c, t, "INSERT INTO model_tags (model_id, key, value) VALUES (@id, @key, @value);", ("@id", id), ("@key", key), ("@value", value));
            }
            return id;
        }, cancellationToken).ConfigureAwait(false);
        return await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default)
        => await Store.ReadAsync(c => ReadModels(c, "WHERE name = @name", ("@name", name)).FirstOrDefault(), cancellationToken).ConfigureAwait(false)
           ?? throw MissingModel(name, "Models.GetModel");

    public override MlopsPageable<RegisteredModel> ListModelsAsync(ModelQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ModelQuery();
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new List<(string, object?)> { ("@contains", query.NameContains) };
        if (!string.IsNullOrEmpty(query.NameContains))
        {
            where.Append(" AND instr(m.name, @contains) > 0");
        }
        var i = 0;
        foreach (var (key, value) in query.Tags ?? new Dictionary<string, string>())
        {
            where.Append(CultureInfo.InvariantCulture, $" AND EXISTS (SELECT 1 FROM model_tags t WHERE t.model_id = m.id AND t.key = @k{i} AND t.value = @v{i})");
            parameters.Add(($"@k{i}", key));
            parameters.Add(($"@v{i}", value));
            i++;
        }
        return Paged((offset, size, ct) => Store.ReadAsync(
            c => ReadModels(c, $"{where} ORDER BY m.name LIMIT @limit OFFSET @offset", [.. parameters, ("@limit", size + 1), ("@offset", offset)]), ct),
            query.PageSize, cancellationToken);
    }

    private List<RegisteredModel> ReadModels(SqliteConnection c, string whereAndTail, params (string, object?)[] parameters)
    {
        var rows = LocalStore.Query(c, null, $"SELECT m.id, m.name, m.description, m.created_at, m.updated_at FROM models m {whereAndTail};",
            r => (Id: r.GetInt64(0), Model: new RegisteredModel
            {
                Backend = Context.Name,
                Name = r.GetString(1),
                Description = r.IsDBNull(2) ? null : r.GetString(2),
                CreatedAt = RunRows.Time(r, 3),
                UpdatedAt = RunRows.Time(r, 4),
            }), parameters);
        return rows.Select(row => row.Model with
        {
            Tags = LocalStore.StringMap(c, null, "SELECT key, value FROM model_tags WHERE model_id = @id ORDER BY key;", ("@id", row.Id)),
            Aliases = LocalStore.StringMap(c, null, "SELECT alias, CAST(version AS TEXT) FROM model_aliases WHERE model_id = @id ORDER BY alias;", ("@id", row.Id)),
        }).ToList();
    }

    public override async Task<RegisteredModel> RenameModelAsync(string name, string newName, CancellationToken cancellationToken = default)
    {
        const string op = "Models.RenameModel";
        if (string.IsNullOrWhiteSpace(newName))
        {
            throw LocalErrors.Validation(Context, op, "A model name must not be empty.");
        }
        await Store.WriteAsync((c, t) =>
        {
            var id = ModelId(c, t, name) ?? throw MissingModel(name, op);
            if (newName != name && ModelId(c, t, newName) is not null)
            {
                throw LocalErrors.Conflict(Context, op, $"Model '{newName}' already exists.");
            }
            return LocalStore.Execute(c, t, "UPDATE models SET name = @name, updated_at = @now WHERE id = @id;", ("@name", newName), ("@now", NowMs), ("@id", id));
        }, cancellationToken).ConfigureAwait(false);
        return await GetModelAsync(newName, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<RegisteredModel> UpdateModelAsync(string name, ModelUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        await Store.WriteAsync((c, t) =>
        {
            var id = ModelId(c, t, name) ?? throw MissingModel(name, "Models.UpdateModel");
            return LocalStore.Execute(c, t, "UPDATE models SET description = COALESCE(@description, description), updated_at = @now WHERE id = @id;",
                ("@description", update.Description), ("@now", NowMs), ("@id", id));
        }, cancellationToken).ConfigureAwait(false);
        return await GetModelAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public override async Task DeleteModelAsync(string name, CancellationToken cancellationToken = default)
    {
        var id = await Store.WriteAsync((c, t) =>
        {
            var modelId = ModelId(c, t, name) ?? throw MissingModel(name, "Models.DeleteModel");
            foreach (var table in s_modelTables)
            {
                LocalStore.Execute(c, t, $"DELETE FROM {table} WHERE model_id = @id;", ("@id", modelId));
            }
            LocalStore.Execute(c, t, "DELETE FROM models WHERE id = @id;", ("@id", modelId));
            return modelId;
        }, cancellationToken).ConfigureAwait(false);
        ArtifactStore.DeleteDirectory(Path.GetDirectoryName(_local.Artifacts.VersionDirectory(id, 1))!);
    }

    public override Task SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default)
    {
        ValidateTag(key, value, "Models.SetModelTag");
        return Store.WriteAsync((c, t) =>
        {
            var id = ModelId(c, t, name) ?? throw MissingModel(name, "Models.SetModelTag");
            return LocalStore.Execute(c, t,
                "INSERT INTO model_tags (model_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value;",
                ("@id", id), ("@key", key), ("@value", value));
        }, cancellationToken);
    }

    public override Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default)
        => Store.WriteAsync((c, t) =>
        {
            var id = ModelId(c, t, name) ?? throw MissingModel(name, "Models.DeleteModelTag");
            return LocalStore.Execute(c, t, "DELETE FROM model_tags WHERE model_id = @id AND key = @key;", ("@id", id), ("@key", key));
        }, cancellationToken);

    // ---- versions ----

    public override async Task<ModelVersion> CreateVersionAsync(string modelName, ModelVersionCreateOptions options, CancellationToken cancellationToken = default)
    {
        const string op = "Models.CreateVersion";
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Source))
        {
            throw LocalErrors.Validation(Context, op, "ModelVersionCreateOptions.Source must name the model's files.");
        }
        var (filesFrom, runId) = await ResolveSourceAsync(options, op, cancellationToken).ConfigureAwait(false);
        var now = NowMs;
        string? createdDirectory = null;
        try
        {
            var version = await Store.WriteAsync((c, t) =>
            {
                var modelId = ModelId(c, t, modelName) ?? throw MissingModel(modelName, op);
                var next = (long)LocalStore.Scalar(c, t, "SELECT next_version FROM models WHERE id = @id;", ("@id", modelId))!;
                LocalStore.Execute(c, t, "UPDATE models SET next_version = @next, updated_at = @now WHERE id = @id;", ("@next", next + 1), ("@now", now), ("@id", modelId));
                LocalStore.Execute(c, t,
                    """
                    INSERT INTO model_versions (model_id, version, source, has_files, run_id, description, created_at, updated_at)
                    VALUES (@id, @version, @source, @files, @run, @description, @now, @now);
                    """,
                    ("@id", modelId), ("@version", next), ("@source", options.Source), ("@files", filesFrom is null ? 0 : 1),
                    ("@run", runId), ("@description", options.Description), ("@now", now));
                foreach (var (key, value) in options.Tags ?? new Dictionary<string, string>())
                {
                    LocalStore.Execute(c, t, "INSERT INTO model_version_tags (model_id, version, key, value) VALUES (@id, @version, @key, @value);",
                        ("@id", modelId), ("@version", next), ("@key", key), ("@value", value));
                }
                if (filesFrom is not null)
                {
                    // Copied inside the transaction: a failed copy rolls the version back.
                    createdDirectory = _local.Artifacts.VersionDirectory(modelId, next);
                    ArtifactStore.DeleteDirectory(createdDirectory);
                    ArtifactStore.CopyInto(filesFrom, createdDirectory);
                }
                return next;
            }, cancellationToken).ConfigureAwait(false);
            createdDirectory = null;
            return await GetVersionAsync(modelName, version.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (createdDirectory is not null)
            {
                ArtifactStore.DeleteDirectory(createdDirectory);
            }
        }
    }

    /// <summary>Where to copy the version's files from (null: a URI the backend does not reach) and the run it came from.</summary>
    private async Task<(string? FilesFrom, string? RunId)> ResolveSourceAsync(ModelVersionCreateOptions options, string op, CancellationToken ct)
    {
        var source = options.Source;
        if (source.StartsWith("runs:/", StringComparison.Ordinal))
        {
            var rest = source["runs:/".Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var runId = slash < 0 ? rest : rest[..slash];
            var path = slash < 0 ? "" : rest[(slash + 1)..];
            return (await RunArtifactAsync(runId, path, op, ct).ConfigureAwait(false), options.Run?.Id ?? runId);
        }
        if (source.StartsWith("file://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(source, UriKind.Absolute, out var fileUri))
        {
            return (ExistingLocalPath(fileUri.LocalPath, op), options.Run?.Id);
        }
        if (source.Contains("://", StringComparison.Ordinal) || source.StartsWith("s3:", StringComparison.OrdinalIgnoreCase))
        {
            return (null, options.Run?.Id);
        }
        if (options.Run is { } run && !Path.IsPathRooted(source))
        {
            return (await RunArtifactAsync(run.Id, source, op, ct).ConfigureAwait(false), run.Id);
        }
        return (ExistingLocalPath(source, op), options.Run?.Id);
    }

    private async Task<string> RunArtifactAsync(string runId, string path, string op, CancellationToken ct)
    {
        var relative = ArtifactStore.Normalize(path, allowRoot: true, out var error) ?? throw LocalErrors.Validation(Context, op, error);
        var directory = await _local.LocalRuns.RunDirectoryAsync(runId, op, ct).ConfigureAwait(false);
        var full = ArtifactStore.Resolve(directory, relative) ?? throw LocalErrors.Validation(Context, op, $"'{path}' resolves outside run '{runId}'s artifacts.");
        return File.Exists(full) || Directory.Exists(full)
            ? full
            : throw LocalErrors.NotFound(Context, op, $"Run '{runId}' has no artifact '{path}' to register as a model version.");
    }

    private string ExistingLocalPath(string path, string op)
    {
        var full = Path.GetFullPath(path);
        return File.Exists(full) || Directory.Exists(full)
            ? full
            : throw LocalErrors.NotFound(Context, op, $"The model source '{path}' is neither a run artifact nor an existing local file or directory.");
    }

    public override async Task<ModelVersion> GetVersionAsync(string modelName, string version, CancellationToken cancellationToken = default)
        => await Store.ReadAsync(c => ReadVersions(c, modelName, "AND v.version = @version", ("@version", LocalRunClient.ParseId(version) ?? -1)).FirstOrDefault(), cancellationToken).ConfigureAwait(false)
           ?? throw MissingVersion(modelName, version, "Models.GetVersion");

    public override MlopsPageable<ModelVersion> ListVersionsAsync(string modelName, ModelVersionQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ModelVersionQuery();
        var filter = new StringBuilder();
        var parameters = new List<(string, object?)>();
        if (query.RunId is not null)
        {
            filter.Append(" AND v.run_id = @run");
            parameters.Add(("@run", query.RunId));
        }
        var i = 0;
        foreach (var (key, value) in query.Tags ?? new Dictionary<string, string>())
        {
            filter.Append(CultureInfo.InvariantCulture,
                $" AND EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_id = v.model_id AND t.version = v.version AND t.key = @k{i} AND t.value = @v{i})");
            parameters.Add(($"@k{i}", key));
            parameters.Add(($"@v{i}", value));
            i++;
        }
        return Paged((offset, size, ct) => Store.ReadAsync(c =>
        {
            if (offset == 0 && ModelId(c, null, modelName) is null)
            {
                throw MissingModel(modelName, "Models.ListVersions");
            }
            return ReadVersions(c, modelName, $"{filter} ORDER BY v.version LIMIT @limit OFFSET @offset", [.. parameters, ("@limit", size + 1), ("@offset", offset)]);
        }, ct), query.PageSize, cancellationToken);
    }

    private List<ModelVersion> ReadVersions(SqliteConnection c, string modelName, string filterAndTail, params (string, object?)[] parameters)
    {
        var rows = LocalStore.Query(c, null,
            $"""
            SELECT v.model_id, v.version, v.source, v.run_id, v.description, v.stage, v.created_at, v.updated_at
            FROM model_versions v JOIN models m ON m.id = v.model_id
            WHERE m.name = @model {filterAndTail};
            """,
            r => (ModelId: r.GetInt64(0), Version: new ModelVersion
            {
                Backend = Context.Name,
                ModelName = modelName,
                Version = r.GetInt64(1).ToString(CultureInfo.InvariantCulture),
                Source = r.GetString(2),
                RunId = r.IsDBNull(3) ? null : r.GetString(3),
                Description = r.IsDBNull(4) ? null : r.GetString(4),
                Stage = r.GetString(5),
                Status = "READY",
                CreatedAt = RunRows.Time(r, 6),
                UpdatedAt = RunRows.Time(r, 7),
            }), [("@model", modelName), .. parameters]);
        return rows.Select(row =>
        {
            var number = long.Parse(row.Version.Version, CultureInfo.InvariantCulture);
            return row.Version with
            {
                Tags = LocalStore.StringMap(c, null, "SELECT key, value FROM model_version_tags WHERE model_id = @id AND version = @version ORDER BY key;",
                    ("@id", row.ModelId), ("@version", number)),
                Aliases = LocalStore.Query(c, null, "SELECT alias FROM model_aliases WHERE model_id = @id AND version = @version ORDER BY alias;",
                    r => r.GetString(0), ("@id", row.ModelId), ("@version", number)),
            };
        }).ToList();
    }

    public override async Task<ModelVersion> UpdateVersionAsync(string modelName, string version, ModelUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        await WriteVersionAsync(modelName, version, "Models.UpdateVersion", (c, t, id, v) => LocalStore.Execute(c, t,
            "UPDATE model_versions SET description = COALESCE(@description, description), updated_at = @now WHERE model_id = @id AND version = @version;",
            ("@description", update.Description), ("@now", NowMs), ("@id", id), ("@version", v)), cancellationToken).ConfigureAwait(false);
        return await GetVersionAsync(modelName, version, cancellationToken).ConfigureAwait(false);
    }

    public override async Task DeleteVersionAsync(string modelName, string version, CancellationToken cancellationToken = default)
    {
        var (modelId, number) = await WriteVersionAsync(modelName, version, "Models.DeleteVersion", (c, t, id, v) =>
        {
            foreach (var table in s_versionTables)
            {
                LocalStore.Execute(c, t, $"DELETE FROM {table} WHERE model_id = @id AND version = @version;", ("@id", id), ("@version", v));
            }
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        ArtifactStore.DeleteDirectory(_local.Artifacts.VersionDirectory(modelId, number));
    }

    public override Task SetVersionTagAsync(string modelName, string version, string key, string value, CancellationToken cancellationToken = default)
    {
        ValidateTag(key, value, "Models.SetVersionTag");
        return WriteVersionAsync(modelName, version, "Models.SetVersionTag", (c, t, id, v) => LocalStore.Execute(c, t,
            "INSERT INTO model_version_tags (model_id, version, key, value) VALUES (@id, @version, @key, @value) ON CONFLICT (model_id, version, key) DO UPDATE SET value = excluded.value;",
            ("@id", id), ("@version", v), ("@key", key), ("@value", value)), cancellationToken);
    }

    public override Task DeleteVersionTagAsync(string modelName, string version, string key, CancellationToken cancellationToken = default)
        => WriteVersionAsync(modelName, version, "Models.DeleteVersionTag", (c, t, id, v) => LocalStore.Execute(c, t,
            "DELETE FROM model_version_tags WHERE model_id = @id AND version = @version AND key = @key;", ("@id", id), ("@version", v), ("@key", key)), cancellationToken);

    // ---- aliases and stages ----

    public override Task SetAliasAsync(string modelName, string alias, string version, CancellationToken cancellationToken = default)
    {
        const string op = "Models.SetAlias";
        if (string.IsNullOrWhiteSpace(alias))
        {
            throw LocalErrors.Validation(Context, op, "An alias must not be empty.");
        }
        return WriteVersionAsync(modelName, version, op, (c, t, id, v) => LocalStore.Execute(c, t,
            "INSERT INTO model_aliases (model_id, alias, version) VALUES (@id, @alias, @version) ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version;",
            ("@id", id), ("@alias", alias), ("@version", v)), cancellationToken);
    }

    public override Task DeleteAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
        => Store.WriteAsync((c, t) =>
        {
            var id = ModelId(c, t, modelName) ?? throw MissingModel(modelName, "Models.DeleteAlias");
            return LocalStore.Execute(c, t, "DELETE FROM model_aliases WHERE model_id = @id AND alias = @alias;", ("@id", id), ("@alias", alias));
        }, cancellationToken);

    public override async Task<ModelVersion> GetVersionByAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        const string op = "Models.GetVersionByAlias";
        var version = await Store.ReadAsync(c =>
        {
            var id = ModelId(c, null, modelName) ?? throw MissingModel(modelName, op);
            return LocalStore.Scalar(c, null, "SELECT version FROM model_aliases WHERE model_id = @id AND alias = @alias;", ("@id", id), ("@alias", alias));
        }, cancellationToken).ConfigureAwait(false);
        return version is long v
            ? await GetVersionAsync(modelName, v.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false)
            : throw LocalErrors.NotFound(Context, op, $"Model '{modelName}' has no alias '{alias}'.");
    }

    public override async Task<ModelVersion> TransitionStageAsync(string modelName, string version, string stage, bool archiveExistingVersions = false, CancellationToken cancellationToken = default)
    {
        const string op = "Models.TransitionStage";
        var canonical = s_stages.FirstOrDefault(s => string.Equals(s, stage, StringComparison.OrdinalIgnoreCase))
            ?? throw LocalErrors.Validation(Context, op, $"Stage '{stage}' is not one of {string.Join(", ", s_stages)}.");
        await WriteVersionAsync(modelName, version, op, (c, t, id, v) =>
        {
            var now = NowMs;
            if (archiveExistingVersions && canonical is "Staging" or "Production")
            {
                LocalStore.Execute(c, t, "UPDATE model_versions SET stage = 'Archived', updated_at = @now WHERE model_id = @id AND stage = @stage AND version <> @version;",
                    ("@now", now), ("@id", id), ("@stage", canonical), ("@version", v));
            }
            return LocalStore.Execute(c, t, "UPDATE model_versions SET stage = @stage, updated_at = @now WHERE model_id = @id AND version = @version;",
                ("@stage", canonical), ("@now", now), ("@id", id), ("@version", v));
        }, cancellationToken).ConfigureAwait(false);
        return await GetVersionAsync(modelName, version, cancellationToken).ConfigureAwait(false);
    }

    // ---- files ----

    public override MlopsPageable<ArtifactInfo> ListVersionFilesAsync(string modelName, string version, string? path = null, CancellationToken cancellationToken = default)
    {
        const string op = "Models.ListVersionFiles";
        var relative = ArtifactStore.Normalize(path, allowRoot: true, out var error) ?? throw LocalErrors.Validation(Context, op, error);
        return Paged(async (offset, size, ct) =>
        {
            var directory = await VersionDirectoryAsync(modelName, version, op, ct).ConfigureAwait(false);
            return ArtifactStore.List(directory, relative).Skip(offset).Take(size + 1).ToList();
        }, null, cancellationToken);
    }

    public override async Task<Stream> DownloadVersionFileAsync(string modelName, string version, string path, CancellationToken cancellationToken = default)
    {
        const string op = "Models.DownloadVersionFile";
        var relative = ArtifactStore.Normalize(path, allowRoot: false, out var error) ?? throw LocalErrors.Validation(Context, op, error);
        var directory = await VersionDirectoryAsync(modelName, version, op, cancellationToken).ConfigureAwait(false);
        var full = ArtifactStore.Resolve(directory, relative) ?? throw LocalErrors.Validation(Context, op, $"'{path}' resolves outside the version's files.");
        return ArtifactStore.OpenRead(full) ?? throw LocalErrors.NotFound(Context, op, $"Version {version} of model '{modelName}' has no file '{path}'.");
    }

    private async Task<string> VersionDirectoryAsync(string modelName, string version, string op, CancellationToken ct)
    {
        var row = await Store.ReadAsync(c => LocalStore.Query(c, null,
            "SELECT v.model_id, v.version, v.has_files, v.source FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = @model AND v.version = @version;",
            r => (ModelId: r.GetInt64(0), Version: r.GetInt64(1), HasFiles: r.GetInt64(2) != 0, Source: r.GetString(3)),
            ("@model", modelName), ("@version", LocalRunClient.ParseId(version) ?? -1)).FirstOrDefault(), ct).ConfigureAwait(false);
        if (row.Source is null)
        {
            throw MissingVersion(modelName, version, op);
        }
        if (!row.HasFiles)
        {
            throw LocalErrors.NotSupported(Context, op,
                $"version {version} of model '{modelName}' points at '{row.Source}', which the Local backend does not fetch; read it with that storage's own client.");
        }
        return _local.Artifacts.VersionDirectory(row.ModelId, row.Version);
    }

    // ---- helpers ----

    private static long? ModelId(SqliteConnection c, SqliteTransaction? t, string name)
        => LocalStore.Scalar(c, t, "SELECT id FROM models WHERE name = @name;", ("@name", name)) as long?;

    /// <summary>Runs <paramref name="write"/> for an existing version (NotFound otherwise) and returns its model id and number.</summary>
    private Task<(long ModelId, long Version)> WriteVersionAsync(string modelName, string version, string op,
        Func<SqliteConnection, SqliteTransaction, long, long, int> write, CancellationToken ct)
        => Store.WriteAsync((c, t) =>
        {
            var id = ModelId(c, t, modelName) ?? throw MissingModel(modelName, op);
            var number = LocalRunClient.ParseId(version);
            if (number is null || LocalStore.Scalar(c, t, "SELECT 1 FROM model_versions WHERE model_id = @id AND version = @version;", ("@id", id), ("@version", number)) is null)
            {
                throw MissingVersion(modelName, version, op);
            }
            write(c, t, id, number.Value);
            return (id, number.Value);
        }, ct);

    private void ValidateTag(string key, string value, string op)
    {
        if (string.IsNullOrEmpty(key) || value is null)
        {
            throw LocalErrors.Validation(Context, op, "A tag needs a non-empty key and a non-null value.");
        }
    }

    private MlopsNotFoundException MissingModel(string name, string op)
        => LocalErrors.NotFound(Context, op, $"Model '{name}' does not exist in the Local backend '{Context.Name}'.");

    private MlopsNotFoundException MissingVersion(string name, string version, string op)
        => LocalErrors.NotFound(Context, op, $"Model '{name}' has no version '{version}'.");

    private MlopsPageable<T> Paged<T>(Func<int, int, CancellationToken, Task<List<T>>> fetch, int? pageSizeHint, CancellationToken cancellationToken)
        => _local.LocalRuns.Paged(fetch, pageSizeHint, cancellationToken);
}
