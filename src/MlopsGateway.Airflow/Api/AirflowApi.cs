using System.Globalization;
using MlopsGateway.Http;

namespace MlopsGateway.Airflow.Api;

/// <summary>The Airflow REST API dialects the adapter speaks.</summary>
internal enum AirflowApiVersion
{
    /// <summary>Airflow 2 stable API, <c>/api/v1</c>.</summary>
    V1,
    /// <summary>Airflow 3 public API, <c>/api/v2</c>.</summary>
    V2,
}

/// <summary>The detected or configured dialect and where its endpoints live relative to the base URL.</summary>
/// <param name="Version">The dialect.</param>
/// <param name="Prefix">The API path relative to the base URL, empty or ending in '/'.</param>
internal sealed record AirflowDialect(AirflowApiVersion Version, string Prefix)
{
    /// <summary>Whether this is the Airflow 2 dialect.</summary>
    public bool IsV1 => Version == AirflowApiVersion.V1;

    /// <summary>The server's page size when none is asked for (v1 100, v2 50).</summary>
    public int DefaultPageSize => IsV1 ? 100 : 50;
}

/// <summary>Filters for listing DAGs, already in Airflow's terms.</summary>
internal sealed record DagListFilter(string? IdPattern, IReadOnlyList<string> Tags, bool? Paused);

/// <summary>Filters and ordering for listing DAG runs, already in Airflow's terms.</summary>
internal sealed record DagRunListFilter(IReadOnlyList<string> States, DateTimeOffset? StartedAfter, DateTimeOffset? StartedBefore, IReadOnlyList<string> OrderBy);

/// <summary>One page of a listing with the server's total.</summary>
internal sealed record AirflowPage<T>(IReadOnlyList<T> Items, int TotalEntries);

/// <summary>
/// The Airflow REST API of the configured or detected dialect: one method per endpoint the adapter uses, choosing the
/// dialect's API path, query conventions (v1's comma-joined <c>update_mask</c>, its single <c>order_by</c> and inclusive
/// upper date bound) and DTOs over the Refit clients of <c>Api/</c>. Sending, auth, retries and error mapping are the core's.
/// </summary>
internal sealed class AirflowApi
{
    /// <summary>Airflow's server-side page cap (<c>maximum_page_limit</c>).</summary>
    public const int MaxPageSize = 100;

    private readonly IAirflowVersionApi _version;
    private readonly IAirflowDagsApi _dags;
    private readonly IAirflowDagRunsApi _runs;
    private readonly IAirflowTaskInstancesApi _tasks;
    private readonly AsyncOnce<AirflowDialect> _dialect;

    /// <summary>Creates the Refit clients (once per backend).</summary>
    /// <param name="context">The backend context.</param>
    /// <param name="version">The configured dialect, or null to detect it once from the version endpoint.</param>
    /// <param name="basePath">The configured API path relative to the base URL (<c>/</c> for the root), or null for the dialect's default.</param>
    public AirflowApi(BackendContext context, AirflowApiVersion? version, string? basePath)
    {
        var errors = new AirflowErrorParser(context.Options.Auth.Username);
        _version = BackendApi.Create<IAirflowVersionApi>(context, AirflowJsonContext.Default, errors);
        _dags = BackendApi.Create<IAirflowDagsApi>(context, AirflowJsonContext.Default, errors);
        _runs = BackendApi.Create<IAirflowDagRunsApi>(context, AirflowJsonContext.Default, errors);
        _tasks = BackendApi.Create<IAirflowTaskInstancesApi>(context, AirflowJsonContext.Default, errors);
        var prefix = basePath is null ? null : NormalizePrefix(basePath);
        _dialect = version is { } v
            ? new AsyncOnce<AirflowDialect>(_ => Task.FromResult(new AirflowDialect(v, prefix ?? DefaultPrefix(v))))
            : new AsyncOnce<AirflowDialect>(ct => DetectAsync(prefix, ct));
    }

    /// <summary>The dialect (detected once when configured as auto; a failed probe is retried on the next call).</summary>
    public Task<AirflowDialect> GetDialectAsync(CancellationToken ct) => _dialect.GetAsync(ct);

    private static string DefaultPrefix(AirflowApiVersion v) => v == AirflowApiVersion.V1 ? "api/v1/" : "api/v2/";

    private static string NormalizePrefix(string basePath)
    {
        var trimmed = basePath.Trim().Trim('/');
        return trimmed.Length == 0 ? "" : trimmed + "/";
    }

    private async Task<AirflowDialect> DetectAsync(string? prefix, CancellationToken ct)
    {
        if (prefix is not null)
        {
            var version = await _version.GetAsync(prefix, ct).ConfigureAwait(false);
            return new AirflowDialect(VersionFromServer(version.Version), prefix);
        }
        var v2 = DefaultPrefix(AirflowApiVersion.V2);
        try
        {
            var version = await _version.GetAsync(v2, ct).ConfigureAwait(false);
            return new AirflowDialect(VersionFromServer(version.Version, AirflowApiVersion.V2), v2);
        }
        catch (MlopsNotFoundException)
        {
            // Airflow 2 has no /api/v2 (and Airflow 3 has no /api/v1).
            return new AirflowDialect(AirflowApiVersion.V1, DefaultPrefix(AirflowApiVersion.V1));
        }
    }

    private static AirflowApiVersion VersionFromServer(string? version, AirflowApiVersion? fallback = null)
    {
        var major = version is null ? null : version.Split('.', 2)[0];
        return major switch
        {
            "1" or "2" => AirflowApiVersion.V1,
            _ when int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m >= 3 => AirflowApiVersion.V2,
            _ => fallback ?? throw new InvalidOperationException(
                $"Airflow reported version '{version}', which does not say whether it serves API v1 or v2; set ApiVersion to v1 or v2."),
        };
    }

    /// <summary><c>GET version</c>, sent without credentials.</summary>
    public async Task<VersionDto> GetVersionAsync(CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        return await _version.GetAsync(d.Prefix, ct).ConfigureAwait(false);
    }

    /// <summary><c>GET dags</c> with filters and paging.</summary>
    public async Task<AirflowPage<DagDto>> ListDagsAsync(DagListFilter filter, int offset, int limit, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        if (d.IsV1)
        {
            var page = await _dags.ListAsync<DagPage<DagV1Dto>>(d.Prefix, limit, offset, filter.Tags, null, filter.Paused, filter.IdPattern, ct).ConfigureAwait(false);
            return new AirflowPage<DagDto>(page.Dags, page.TotalEntries);
        }
        var matchMode = filter.Tags.Count > 0 ? "all" : null;
        var p2 = await _dags.ListAsync<DagPage<DagV2Dto>>(d.Prefix, limit, offset, filter.Tags, matchMode, filter.Paused, filter.IdPattern, ct).ConfigureAwait(false);
        return new AirflowPage<DagDto>(p2.Dags, p2.TotalEntries);
    }

    /// <summary><c>GET dags/{dag_id}</c>.</summary>
    public async Task<DagDto> GetDagAsync(string dagId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        return d.IsV1
            ? await _dags.GetAsync<DagV1Dto>(d.Prefix, dagId, ct).ConfigureAwait(false)
            : await _dags.GetAsync<DagV2Dto>(d.Prefix, dagId, ct).ConfigureAwait(false);
    }

    /// <summary><c>PATCH dags/{dag_id}</c> with <c>{"is_paused": …}</c> (v1 adds <c>update_mask=is_paused</c>).</summary>
    public async Task<DagDto> SetPausedAsync(string dagId, bool paused, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var body = new DagPatchBody { IsPaused = paused };
        return d.IsV1
            ? await _dags.SetPausedAsync<DagV1Dto>(d.Prefix, dagId, "is_paused", body, ct).ConfigureAwait(false)
            : await _dags.SetPausedAsync<DagV2Dto>(d.Prefix, dagId, null, body, ct).ConfigureAwait(false);
    }

    /// <summary><c>DELETE dags/{dag_id}</c>.</summary>
    public async Task DeleteDagAsync(string dagId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        await _dags.DeleteAsync(d.Prefix, dagId, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST dags/{dag_id}/dagRuns</c>. The run id is always given, so a caller repeating the trigger meets 409
    /// instead of starting a second run (resolved by the caller); the gateway itself never re-sends it.
    /// </summary>
    public async Task<DagRunDto> TriggerAsync(string dagId, string dagRunId, System.Text.Json.Nodes.JsonObject? conf, string? note, DateTimeOffset? logicalDate, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        return d.IsV1
            ? await _runs.TriggerAsync<TriggerV1Body, DagRunV1Dto>(d.Prefix, dagId,
                new TriggerV1Body { DagRunId = dagRunId, Conf = conf ?? [], Note = note, LogicalDate = logicalDate }, ct).ConfigureAwait(false)
            : await _runs.TriggerAsync<TriggerV2Body, DagRunV2Dto>(d.Prefix, dagId,
                new TriggerV2Body { DagRunId = dagRunId, Conf = conf ?? [], Note = note, LogicalDate = logicalDate }, ct).ConfigureAwait(false);
    }

    /// <summary><c>GET dags/{dag_id}/dagRuns/{dag_run_id}</c>.</summary>
    public async Task<DagRunDto> GetDagRunAsync(string dagId, string dagRunId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        return d.IsV1
            ? await _runs.GetAsync<DagRunV1Dto>(d.Prefix, dagId, dagRunId, ct).ConfigureAwait(false)
            : await _runs.GetAsync<DagRunV2Dto>(d.Prefix, dagId, dagRunId, ct).ConfigureAwait(false);
    }

    /// <summary><c>GET dags/{dag_id or ~}/dagRuns</c> with state/date filters, ordering and paging.</summary>
    public async Task<AirflowPage<DagRunDto>> ListDagRunsAsync(string? dagId, DagRunListFilter filter, int offset, int limit, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var after = FormatDate(filter.StartedAfter);
        var before = FormatDate(filter.StartedBefore);
        if (d.IsV1)
        {
            // v1 has only inclusive upper bounds (the exclusive bound is re-checked client-side) and one ordering key.
            var page = await _runs.ListAsync<DagRunPage<DagRunV1Dto>>(d.Prefix, dagId ?? "~", limit, offset, filter.States, after, before, null,
                filter.OrderBy.Take(1), ct).ConfigureAwait(false);
            return new AirflowPage<DagRunDto>(page.DagRuns, page.TotalEntries);
        }
        var p2 = await _runs.ListAsync<DagRunPage<DagRunV2Dto>>(d.Prefix, dagId ?? "~", limit, offset, filter.States, after, null, before,
            filter.OrderBy, ct).ConfigureAwait(false);
        return new AirflowPage<DagRunDto>(p2.DagRuns, p2.TotalEntries);
    }

    /// <summary><c>PATCH dags/{dag_id}/dagRuns/{dag_run_id}</c> with <c>{"state": …}</c> (idempotent).</summary>
    public async Task<DagRunDto> SetDagRunStateAsync(string dagId, string dagRunId, string state, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var body = new DagRunStateBody { State = state };
        return d.IsV1
            ? await _runs.SetStateAsync<DagRunV1Dto>(d.Prefix, dagId, dagRunId, body, ct).ConfigureAwait(false)
            : await _runs.SetStateAsync<DagRunV2Dto>(d.Prefix, dagId, dagRunId, body, ct).ConfigureAwait(false);
    }

    /// <summary><c>POST dags/{dag_id}/dagRuns/{dag_run_id}/clear</c> with <c>dry_run=false</c>; returns the cleared run.</summary>
    public async Task<DagRunDto> ClearDagRunAsync(string dagId, string dagRunId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var body = new DagRunClearBody { DryRun = false };
        return d.IsV1
            ? await _runs.ClearAsync<DagRunV1Dto>(d.Prefix, dagId, dagRunId, body, ct).ConfigureAwait(false)
            : await _runs.ClearAsync<DagRunV2Dto>(d.Prefix, dagId, dagRunId, body, ct).ConfigureAwait(false);
    }

    /// <summary><c>DELETE dags/{dag_id}/dagRuns/{dag_run_id}</c>.</summary>
    public async Task DeleteDagRunAsync(string dagId, string dagRunId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        await _runs.DeleteAsync(d.Prefix, dagId, dagRunId, ct).ConfigureAwait(false);
    }

    /// <summary><c>GET dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances</c> with paging.</summary>
    public async Task<AirflowPage<TaskInstanceDto>> ListTaskInstancesAsync(string dagId, string dagRunId, int offset, int limit, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        if (d.IsV1)
        {
            var page = await _tasks.ListAsync<TaskInstancePage<TaskInstanceV1Dto>>(d.Prefix, dagId, dagRunId, limit, offset, ct).ConfigureAwait(false);
            return new AirflowPage<TaskInstanceDto>(page.TaskInstances, page.TotalEntries);
        }
        var p2 = await _tasks.ListAsync<TaskInstancePage<TaskInstanceV2Dto>>(d.Prefix, dagId, dagRunId, limit, offset, ct).ConfigureAwait(false);
        return new AirflowPage<TaskInstanceDto>(p2.TaskInstances, p2.TotalEntries);
    }

    /// <summary><c>GET …/taskInstances/{task_id}</c> (or <c>/{map_index}</c> for a mapped instance).</summary>
    public async Task<TaskInstanceDto> GetTaskInstanceAsync(string dagId, string dagRunId, string taskId, int mapIndex, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        return (d.IsV1, mapIndex >= 0) switch
        {
            (true, false) => await _tasks.GetAsync<TaskInstanceV1Dto>(d.Prefix, dagId, dagRunId, taskId, ct).ConfigureAwait(false),
            (true, true) => await _tasks.GetMappedAsync<TaskInstanceV1Dto>(d.Prefix, dagId, dagRunId, taskId, mapIndex, ct).ConfigureAwait(false),
            (false, false) => await _tasks.GetAsync<TaskInstanceV2Dto>(d.Prefix, dagId, dagRunId, taskId, ct).ConfigureAwait(false),
            (false, true) => await _tasks.GetMappedAsync<TaskInstanceV2Dto>(d.Prefix, dagId, dagRunId, taskId, mapIndex, ct).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// <c>GET …/taskInstances/{task_id}/tries</c> (or <c>/{task_id}/{map_index}/tries</c> for a mapped instance):
    /// every attempt of one task instance, as the server lists them (history first, then the current instance).
    /// </summary>
    public async Task<IReadOnlyList<TaskInstanceDto>> ListTaskInstanceTriesAsync(string dagId, string dagRunId, string taskId, int mapIndex, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        if (d.IsV1)
        {
            var page = mapIndex >= 0
                ? await _tasks.ListMappedTriesAsync<TaskInstanceHistoryV1Page>(d.Prefix, dagId, dagRunId, taskId, mapIndex, ct).ConfigureAwait(false)
                : await _tasks.ListTriesAsync<TaskInstanceHistoryV1Page>(d.Prefix, dagId, dagRunId, taskId, ct).ConfigureAwait(false);
            return page.Items;
        }
        var p2 = mapIndex >= 0
            ? await _tasks.ListMappedTriesAsync<TaskInstancePage<TaskInstanceV2Dto>>(d.Prefix, dagId, dagRunId, taskId, mapIndex, ct).ConfigureAwait(false)
            : await _tasks.ListTriesAsync<TaskInstancePage<TaskInstanceV2Dto>>(d.Prefix, dagId, dagRunId, taskId, ct).ConfigureAwait(false);
        return p2.TaskInstances;
    }

    /// <summary>
    /// <c>GET …/taskInstances/{task_id}/logs/{try_number}</c> as JSON, continuing from <paramref name="token"/>;
    /// <c>map_index</c> only for mapped instances.
    /// </summary>
    public async Task<TaskLogDto> GetLogAsync(string dagId, string dagRunId, string taskId, int mapIndex, int tryNumber, string? token, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        return await _tasks.GetLogAsync(d.Prefix, dagId, dagRunId, taskId, tryNumber, mapIndex >= 0 ? mapIndex : null, token, ct).ConfigureAwait(false);
    }

    private static string? FormatDate(DateTimeOffset? value)
        => value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);
}
