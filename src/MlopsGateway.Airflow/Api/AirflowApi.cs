using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
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
/// The typed Airflow REST client: one method per endpoint the adapter uses, choosing the dialect's path,
/// query conventions (repeated array parameters, v1's comma-joined <c>update_mask</c>) and DTOs. Sending,
/// auth, retries and error mapping are the core's <see cref="BackendHttp"/>.
/// </summary>
internal sealed class AirflowApi
{
    /// <summary>Airflow's server-side page cap (<c>maximum_page_limit</c>).</summary>
    public const int MaxPageSize = 100;

    private static readonly AirflowJsonContext Json = AirflowJsonContext.Default;
    private readonly BackendHttp _http;
    private readonly AsyncOnce<AirflowDialect> _dialect;

    /// <summary>Creates the client.</summary>
    /// <param name="context">The backend context.</param>
    /// <param name="version">The configured dialect, or null to detect it once from the version endpoint.</param>
    /// <param name="basePath">The configured API path relative to the base URL (<c>/</c> for the root), or null for the dialect's default.</param>
    public AirflowApi(BackendContext context, AirflowApiVersion? version, string? basePath)
    {
        _http = new BackendHttp(context, new AirflowErrorParser(context.Options.Auth.Username));
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
            var version = await SendAsync(Get(prefix + "version"), Json.VersionDto, ct).ConfigureAwait(false);
            return new AirflowDialect(VersionFromServer(version.Version), prefix);
        }
        try
        {
            var v2 = await SendAsync(Get("api/v2/version"), Json.VersionDto, ct).ConfigureAwait(false);
            return new AirflowDialect(VersionFromServer(v2.Version, AirflowApiVersion.V2), DefaultPrefix(AirflowApiVersion.V2));
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

    /// <summary><c>GET version</c>.</summary>
    public async Task<VersionDto> GetVersionAsync(CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        return await SendAsync(Get(d.Prefix + "version"), Json.VersionDto, ct).ConfigureAwait(false);
    }

    /// <summary><c>GET dags</c> with filters and paging.</summary>
    public async Task<AirflowPage<DagDto>> ListDagsAsync(DagListFilter filter, int offset, int limit, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var q = new QueryBuilder();
        q.Add("limit", (long)limit);
        q.Add("offset", (long)offset);
        q.AddEach("tags", filter.Tags);
        if (!d.IsV1 && filter.Tags.Count > 0)
        {
            q.Add("tags_match_mode", "all");
        }
        q.Add("paused", filter.Paused);
        q.Add("dag_id_pattern", filter.IdPattern);
        var request = Get(d.Prefix + "dags" + q);
        if (d.IsV1)
        {
            var page = await SendAsync(request, Json.DagPageDagV1Dto, ct).ConfigureAwait(false);
            return new AirflowPage<DagDto>(page.Dags, page.TotalEntries);
        }
        var p2 = await SendAsync(request, Json.DagPageDagV2Dto, ct).ConfigureAwait(false);
        return new AirflowPage<DagDto>(p2.Dags, p2.TotalEntries);
    }

    /// <summary><c>GET dags/{dag_id}</c>.</summary>
    public async Task<DagDto> GetDagAsync(string dagId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        return await SendDagAsync(d, Get(DagPath(d, dagId)), ct).ConfigureAwait(false);
    }

    /// <summary><c>PATCH dags/{dag_id}</c> with <c>{"is_paused": …}</c> (v1 adds <c>update_mask=is_paused</c>).</summary>
    public async Task<DagDto> SetPausedAsync(string dagId, bool paused, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var q = new QueryBuilder();
        AddUpdateMask(d, q, ["is_paused"]);
        var request = new HttpRequestMessage(HttpMethod.Patch, DagPath(d, dagId) + q)
        {
            Content = JsonContent.Create(new DagPatchBody { IsPaused = paused }, Json.DagPatchBody),
        };
        // Setting the flag to a value is idempotent.
        request.MarkIdempotent();
        return await SendDagAsync(d, request, ct).ConfigureAwait(false);
    }

    /// <summary><c>DELETE dags/{dag_id}</c> (v1 204, v2 200 <c>{}</c>).</summary>
    public async Task DeleteDagAsync(string dagId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        await _http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, DagPath(d, dagId)), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST dags/{dag_id}/dagRuns</c>. The run id is always given, so a repeat of this request meets 409
    /// instead of starting a second run: it is marked idempotent and the caller resolves the 409.
    /// </summary>
    public async Task<DagRunDto> TriggerAsync(string dagId, string dagRunId, System.Text.Json.Nodes.JsonObject? conf, string? note, DateTimeOffset? logicalDate, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        HttpContent content = d.IsV1
            ? JsonContent.Create(new TriggerV1Body { DagRunId = dagRunId, Conf = conf ?? [], Note = note, LogicalDate = logicalDate }, Json.TriggerV1Body)
            : JsonContent.Create(new TriggerV2Body { DagRunId = dagRunId, Conf = conf ?? [], Note = note, LogicalDate = logicalDate }, Json.TriggerV2Body);
        var request = new HttpRequestMessage(HttpMethod.Post, DagPath(d, dagId) + "/dagRuns") { Content = content };
        request.MarkIdempotent();
        return await SendDagRunAsync(d, request, ct).ConfigureAwait(false);
    }

    /// <summary><c>GET dags/{dag_id}/dagRuns/{dag_run_id}</c>.</summary>
    public async Task<DagRunDto> GetDagRunAsync(string dagId, string dagRunId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        return await SendDagRunAsync(d, Get(DagRunPath(d, dagId, dagRunId)), ct).ConfigureAwait(false);
    }

    /// <summary><c>GET dags/{dag_id or ~}/dagRuns</c> with state/date filters, ordering and paging.</summary>
    public async Task<AirflowPage<DagRunDto>> ListDagRunsAsync(string? dagId, DagRunListFilter filter, int offset, int limit, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var q = new QueryBuilder();
        q.Add("limit", (long)limit);
        q.Add("offset", (long)offset);
        q.AddEach("state", filter.States);
        q.Add("start_date_gte", FormatDate(filter.StartedAfter));
        // v1 has only inclusive upper bounds; the exclusive bound is re-checked client-side.
        q.Add(d.IsV1 ? "start_date_lte" : "start_date_lt", FormatDate(filter.StartedBefore));
        if (d.IsV1)
        {
            q.Add("order_by", filter.OrderBy.Count > 0 ? filter.OrderBy[0] : null);
        }
        else
        {
            q.AddEach("order_by", filter.OrderBy);
        }
        var request = Get((dagId is null ? d.Prefix + "dags/~" : DagPath(d, dagId)) + "/dagRuns" + q);
        if (d.IsV1)
        {
            var page = await SendAsync(request, Json.DagRunPageDagRunV1Dto, ct).ConfigureAwait(false);
            return new AirflowPage<DagRunDto>(page.DagRuns, page.TotalEntries);
        }
        var p2 = await SendAsync(request, Json.DagRunPageDagRunV2Dto, ct).ConfigureAwait(false);
        return new AirflowPage<DagRunDto>(p2.DagRuns, p2.TotalEntries);
    }

    /// <summary><c>PATCH dags/{dag_id}/dagRuns/{dag_run_id}</c> with <c>{"state": …}</c> (idempotent).</summary>
    public async Task<DagRunDto> SetDagRunStateAsync(string dagId, string dagRunId, string state, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var request = new HttpRequestMessage(HttpMethod.Patch, DagRunPath(d, dagId, dagRunId))
        {
            Content = JsonContent.Create(new DagRunStateBody { State = state }, Json.DagRunStateBody),
        };
        request.MarkIdempotent();
        return await SendDagRunAsync(d, request, ct).ConfigureAwait(false);
    }

    /// <summary><c>POST dags/{dag_id}/dagRuns/{dag_run_id}/clear</c> with <c>dry_run=false</c>; returns the cleared run.</summary>
    public async Task<DagRunDto> ClearDagRunAsync(string dagId, string dagRunId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var request = new HttpRequestMessage(HttpMethod.Post, DagRunPath(d, dagId, dagRunId) + "/clear")
        {
            Content = JsonContent.Create(new DagRunClearBody { DryRun = false }, Json.DagRunClearBody),
        };
        return await SendDagRunAsync(d, request, ct).ConfigureAwait(false);
    }

    /// <summary><c>DELETE dags/{dag_id}/dagRuns/{dag_run_id}</c>.</summary>
    public async Task DeleteDagRunAsync(string dagId, string dagRunId, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        await _http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, DagRunPath(d, dagId, dagRunId)), ct).ConfigureAwait(false);
    }

    /// <summary><c>GET dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances</c> with paging.</summary>
    public async Task<AirflowPage<TaskInstanceDto>> ListTaskInstancesAsync(string dagId, string dagRunId, int offset, int limit, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var q = new QueryBuilder();
        q.Add("limit", (long)limit);
        q.Add("offset", (long)offset);
        var request = Get(DagRunPath(d, dagId, dagRunId) + "/taskInstances" + q);
        if (d.IsV1)
        {
            var page = await SendAsync(request, Json.TaskInstancePageTaskInstanceV1Dto, ct).ConfigureAwait(false);
            return new AirflowPage<TaskInstanceDto>(page.TaskInstances, page.TotalEntries);
        }
        var p2 = await SendAsync(request, Json.TaskInstancePageTaskInstanceV2Dto, ct).ConfigureAwait(false);
        return new AirflowPage<TaskInstanceDto>(p2.TaskInstances, p2.TotalEntries);
    }

    /// <summary><c>GET …/taskInstances/{task_id}</c> (or <c>/{map_index}</c> for a mapped instance).</summary>
    public async Task<TaskInstanceDto> GetTaskInstanceAsync(string dagId, string dagRunId, string taskId, int mapIndex, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var request = Get(TaskInstancePath(d, dagId, dagRunId, taskId, mapIndex));
        return d.IsV1
            ? await SendAsync(request, Json.TaskInstanceV1Dto, ct).ConfigureAwait(false)
            : await SendAsync(request, Json.TaskInstanceV2Dto, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET …/taskInstances/{task_id}/tries</c> (or <c>/{task_id}/{map_index}/tries</c> for a mapped instance):
    /// every attempt of one task instance, as the server lists them (history first, then the current instance).
    /// Neither dialect pages this listing (v1 declares <c>limit</c>/<c>offset</c> but Airflow 2.10 ignores them;
    /// v2 has none), so no paging parameters are sent.
    /// </summary>
    public async Task<IReadOnlyList<TaskInstanceDto>> ListTaskInstanceTriesAsync(string dagId, string dagRunId, string taskId, int mapIndex, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var request = Get(TaskInstancePath(d, dagId, dagRunId, taskId, mapIndex) + "/tries");
        if (d.IsV1)
        {
            var page = await SendAsync(request, Json.TaskInstanceHistoryV1Page, ct).ConfigureAwait(false);
            return page.Items;
        }
        var p2 = await SendAsync(request, Json.TaskInstancePageTaskInstanceV2Dto, ct).ConfigureAwait(false);
        return p2.TaskInstances;
    }

    /// <summary>
    /// <c>GET …/taskInstances/{task_id}/logs/{try_number}</c> as JSON, continuing from <paramref name="token"/>.
    /// <c>map_index</c> is sent only for mapped instances (Airflow 2.10 answers 404 to <c>map_index=0</c> on an unmapped task).
    /// </summary>
    public async Task<TaskLogDto> GetLogAsync(string dagId, string dagRunId, string taskId, int mapIndex, int tryNumber, string? token, CancellationToken ct)
    {
        var d = await GetDialectAsync(ct).ConfigureAwait(false);
        var q = new QueryBuilder();
        q.Add("map_index", mapIndex >= 0 ? mapIndex : null);
        q.Add("token", token);
        var request = Get(TaskPath(d, dagId, dagRunId, taskId) + "/logs/" + tryNumber.ToString(CultureInfo.InvariantCulture) + q);
        return await SendAsync(request, Json.TaskLogDto, ct).ConfigureAwait(false);
    }

    private static void AddUpdateMask(AirflowDialect d, QueryBuilder q, IReadOnlyList<string> fields)
    {
        // v1 declares update_mask with explode: false (one comma-joined value). On v2 it is optional and
        // DAGPatchBody holds nothing but is_paused, so it is left out (a one-element array in a query
        // string is also where Prism's OpenAPI 3.1 anyOf check trips).
        if (d.IsV1)
        {
            q.Add("update_mask", string.Join(',', fields));
        }
    }

    private static string? FormatDate(DateTimeOffset? value)
        => value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    private static string DagPath(AirflowDialect d, string dagId) => d.Prefix + "dags/" + UrlPath.Segment(dagId);

    private static string DagRunPath(AirflowDialect d, string dagId, string dagRunId) => DagPath(d, dagId) + "/dagRuns/" + UrlPath.Segment(dagRunId);

    private static string TaskPath(AirflowDialect d, string dagId, string dagRunId, string taskId) => DagRunPath(d, dagId, dagRunId) + "/taskInstances/" + UrlPath.Segment(taskId);

    private static string TaskInstancePath(AirflowDialect d, string dagId, string dagRunId, string taskId, int mapIndex)
        => TaskPath(d, dagId, dagRunId, taskId) + (mapIndex >= 0 ? "/" + mapIndex.ToString(CultureInfo.InvariantCulture) : "");

    private static HttpRequestMessage Get(string relative)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, relative);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private async Task<DagDto> SendDagAsync(AirflowDialect d, HttpRequestMessage request, CancellationToken ct)
        => d.IsV1
            ? await SendAsync(request, Json.DagV1Dto, ct).ConfigureAwait(false)
            : await SendAsync(request, Json.DagV2Dto, ct).ConfigureAwait(false);

    private async Task<DagRunDto> SendDagRunAsync(AirflowDialect d, HttpRequestMessage request, CancellationToken ct)
        => d.IsV1
            ? await SendAsync(request, Json.DagRunV1Dto, ct).ConfigureAwait(false)
            : await SendAsync(request, Json.DagRunV2Dto, ct).ConfigureAwait(false);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using (request)
        {
            return await _http.SendAsync(request, type, ct).ConfigureAwait(false);
        }
    }
}
