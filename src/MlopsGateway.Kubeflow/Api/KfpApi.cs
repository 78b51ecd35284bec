using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MlopsGateway.Http;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// The KFP v2beta1 REST API written out, one method per endpoint (like a Refit interface). Relative URIs
/// under <c>apis/v2beta1/</c> (BaseUrl carries any dashboard prefix such as <c>/pipeline</c>); every send,
/// retry decision and error mapping goes through the core's <see cref="BackendHttp"/>.
/// </summary>
internal sealed class KfpApi(BackendHttp http)
{
    private const string Root = "apis/v2beta1/";
    private static readonly KfpJsonContext Json = KfpJsonContext.Default;

    // ---- health -------------------------------------------------------------------------------------

    public Task<KfpHealthz> GetHealthzAsync(CancellationToken ct)
        => http.SendAsync(Get("healthz"), Json.KfpHealthz, ct);

    // ---- pipelines ----------------------------------------------------------------------------------

    public Task<KfpListPipelinesResponse> ListPipelinesAsync(string? ns, string? pageToken, int pageSize, string? sortBy, string? filter, CancellationToken ct)
    {
        var q = new QueryBuilder();
        q.Add("namespace", ns);
        AddPaging(q, pageToken, pageSize, sortBy, filter);
        return http.SendAsync(Get("pipelines" + q), Json.KfpListPipelinesResponse, ct);
    }

    public Task<KfpPipeline> GetPipelineAsync(string pipelineId, CancellationToken ct)
        => http.SendAsync(Get($"pipelines/{UrlPath.Segment(pipelineId)}"), Json.KfpPipeline, ct);

    public Task<KfpPipeline> GetPipelineByNameAsync(string name, string? ns, CancellationToken ct)
    {
        var q = new QueryBuilder();
        q.Add("namespace", ns);
        return http.SendAsync(Get($"pipelines/names/{UrlPath.Segment(name)}{q}"), Json.KfpPipeline, ct);
    }

    public Task DeletePipelineAsync(string pipelineId, bool cascade, CancellationToken ct)
    {
        var q = new QueryBuilder();
        q.Add("cascade", cascade ? true : null);
        return http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Root}pipelines/{UrlPath.Segment(pipelineId)}{q}"), ct);
    }

    /// <summary>Multipart upload (part <c>uploadfile</c>, metadata in the query string). A stream is never retried.</summary>
    public Task<KfpPipeline> UploadPipelineAsync(Stream content, string fileName, string name, string? description, string? ns, CancellationToken ct)
    {
        var q = new QueryBuilder();
        q.Add("name", name);
        q.Add("display_name", name);
        q.Add("description", description);
        q.Add("namespace", ns);
        return http.SendAsync(Upload("pipelines/upload" + q, content, fileName), Json.KfpPipeline, ct);
    }

    /// <summary>Multipart upload of a new version; note the query key is <c>pipelineid</c>, without underscore.</summary>
    public Task<KfpPipelineVersion> UploadPipelineVersionAsync(string pipelineId, Stream content, string fileName, string name, string? description, CancellationToken ct)
    {
        var q = new QueryBuilder();
        q.Add("name", name);
        q.Add("display_name", name);
        q.Add("pipelineid", pipelineId);
        q.Add("description", description);
        return http.SendAsync(Upload("pipelines/upload_version" + q, content, fileName), Json.KfpPipelineVersion, ct);
    }

    public Task<KfpListPipelineVersionsResponse> ListPipelineVersionsAsync(string pipelineId, string? pageToken, int pageSize, string? sortBy, CancellationToken ct)
    {
        var q = new QueryBuilder();
        AddPaging(q, pageToken, pageSize, sortBy, null);
        return http.SendAsync(Get($"pipelines/{UrlPath.Segment(pipelineId)}/versions{q}"), Json.KfpListPipelineVersionsResponse, ct);
    }

    public Task<KfpPipelineVersion> GetPipelineVersionAsync(string pipelineId, string versionId, CancellationToken ct)
        => http.SendAsync(Get($"pipelines/{UrlPath.Segment(pipelineId)}/versions/{UrlPath.Segment(versionId)}"), Json.KfpPipelineVersion, ct);

    public Task DeletePipelineVersionAsync(string pipelineId, string versionId, CancellationToken ct)
        => http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Root}pipelines/{UrlPath.Segment(pipelineId)}/versions/{UrlPath.Segment(versionId)}"), ct);

    // ---- experiments --------------------------------------------------------------------------------

    /// <summary>Not retried once sent: display names are unique per namespace, so a replay would be a Conflict the caller did not cause.</summary>
    public Task<KfpExperiment> CreateExperimentAsync(KfpExperimentCreate body, CancellationToken ct)
        => http.SendAsync(Post("experiments", JsonContent.Create(body, Json.KfpExperimentCreate)), Json.KfpExperiment, ct);

    public Task<KfpExperiment> GetExperimentAsync(string experimentId, CancellationToken ct)
        => http.SendAsync(Get($"experiments/{UrlPath.Segment(experimentId)}"), Json.KfpExperiment, ct);

    public Task<KfpListExperimentsResponse> ListExperimentsAsync(string? ns, string? pageToken, int pageSize, string? sortBy, string? filter, CancellationToken ct)
    {
        var q = new QueryBuilder();
        AddPaging(q, pageToken, pageSize, sortBy, filter);
        q.Add("namespace", ns);
        return http.SendAsync(Get("experiments" + q), Json.KfpListExperimentsResponse, ct);
    }

    /// <summary>Archiving twice leaves the same state: idempotent, so retried.</summary>
    public Task ArchiveExperimentAsync(string experimentId, CancellationToken ct)
        => http.SendAsync(Post($"experiments/{UrlPath.Segment(experimentId)}:archive").MarkIdempotent(), ct);

    /// <summary>Unarchiving twice leaves the same state: idempotent, so retried.</summary>
    public Task UnarchiveExperimentAsync(string experimentId, CancellationToken ct)
        => http.SendAsync(Post($"experiments/{UrlPath.Segment(experimentId)}:unarchive").MarkIdempotent(), ct);

    public Task DeleteExperimentAsync(string experimentId, CancellationToken ct)
        => http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Root}experiments/{UrlPath.Segment(experimentId)}"), ct);

    // ---- runs ---------------------------------------------------------------------------------------

    /// <summary>Create run: never retried once sent (a replay would start a second run).</summary>
    public Task<KfpRun> CreateRunAsync(KfpRun body, CancellationToken ct)
        => http.SendAsync(Post("runs", JsonContent.Create(body, Json.KfpRun)).MarkNotRetryable(), Json.KfpRun, ct);

    public Task<KfpRun> GetRunAsync(string runId, CancellationToken ct)
        => http.SendAsync(Get($"runs/{UrlPath.Segment(runId)}"), Json.KfpRun, ct);

    public Task<KfpListRunsResponse> ListRunsAsync(string? ns, string? experimentId, string? pageToken, int pageSize, string? sortBy, string? filter, CancellationToken ct)
    {
        var q = new QueryBuilder();
        q.Add("namespace", ns);
        q.Add("experiment_id", experimentId);
        AddPaging(q, pageToken, pageSize, sortBy, filter);
        return http.SendAsync(Get("runs" + q), Json.KfpListRunsResponse, ct);
    }

    /// <summary>Terminating twice is harmless (CANCELING stays CANCELING): idempotent, so retried.</summary>
    public Task TerminateRunAsync(string runId, CancellationToken ct)
        => http.SendAsync(Post($"runs/{UrlPath.Segment(runId)}:terminate").MarkIdempotent(), ct);

    /// <summary>Not marked idempotent: a replayed retry of a run that already restarted fails server-side.</summary>
    public Task RetryRunAsync(string runId, CancellationToken ct)
        => http.SendAsync(Post($"runs/{UrlPath.Segment(runId)}:retry"), ct);

    /// <summary>Changes <c>storage_state</c> only: idempotent, so retried.</summary>
    public Task ArchiveRunAsync(string runId, CancellationToken ct)
        => http.SendAsync(Post($"runs/{UrlPath.Segment(runId)}:archive").MarkIdempotent(), ct);

    /// <summary>Changes <c>storage_state</c> only: idempotent, so retried.</summary>
    public Task UnarchiveRunAsync(string runId, CancellationToken ct)
        => http.SendAsync(Post($"runs/{UrlPath.Segment(runId)}:unarchive").MarkIdempotent(), ct);

    public Task DeleteRunAsync(string runId, CancellationToken ct)
        => http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Root}runs/{UrlPath.Segment(runId)}"), ct);

    /// <summary>
    /// <c>GET /runs/{run}/nodes/{node}/artifacts/{name}:read</c>: absent from the 2.17.0 swagger (removed from
    /// the proto in 2.15) but still served by a plain handler returning <c>{"data": base64}</c>.
    /// </summary>
    public Task<KfpReadArtifactResponse> ReadArtifactAsync(string runId, string nodeId, string artifactName, CancellationToken ct)
        => http.SendAsync(
            Get($"runs/{UrlPath.Segment(runId)}/nodes/{UrlPath.Segment(nodeId)}/artifacts/{UrlPath.Segment(artifactName)}:read"),
            Json.KfpReadArtifactResponse, ct);

    // ---- recurring runs -----------------------------------------------------------------------------

    /// <summary>Not retried once sent: a replay would create a second schedule.</summary>
    public Task<KfpRecurringRun> CreateRecurringRunAsync(KfpRecurringRun body, CancellationToken ct)
        => http.SendAsync(Post("recurringruns", JsonContent.Create(body, Json.KfpRecurringRun)).MarkNotRetryable(), Json.KfpRecurringRun, ct);

    public Task<KfpRecurringRun> GetRecurringRunAsync(string id, CancellationToken ct)
        => http.SendAsync(Get($"recurringruns/{UrlPath.Segment(id)}"), Json.KfpRecurringRun, ct);

    public Task<KfpListRecurringRunsResponse> ListRecurringRunsAsync(string? ns, string? experimentId, string? pageToken, int pageSize, string? sortBy, CancellationToken ct)
    {
        var q = new QueryBuilder();
        AddPaging(q, pageToken, pageSize, sortBy, null);
        q.Add("namespace", ns);
        q.Add("experiment_id", experimentId);
        return http.SendAsync(Get("recurringruns" + q), Json.KfpListRecurringRunsResponse, ct);
    }

    /// <summary>Enabling twice leaves it enabled: idempotent, so retried.</summary>
    public Task EnableRecurringRunAsync(string id, CancellationToken ct)
        => http.SendAsync(Post($"recurringruns/{UrlPath.Segment(id)}:enable").MarkIdempotent(), ct);

    /// <summary>Disabling twice leaves it disabled: idempotent, so retried.</summary>
    public Task DisableRecurringRunAsync(string id, CancellationToken ct)
        => http.SendAsync(Post($"recurringruns/{UrlPath.Segment(id)}:disable").MarkIdempotent(), ct);

    public Task DeleteRecurringRunAsync(string id, CancellationToken ct)
        => http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Root}recurringruns/{UrlPath.Segment(id)}"), ct);

    // ---- helpers ------------------------------------------------------------------------------------

    /// <summary>KFP's <c>filter</c> value: the JSON of a <see cref="KfpFilter"/> (the query builder URL-encodes it).</summary>
    public static string? FilterJson(KfpFilter? filter)
        => filter is null || filter.Predicates.Count == 0 ? null : JsonSerializer.Serialize(filter, Json.KfpFilter);

    private static void AddPaging(QueryBuilder q, string? pageToken, int pageSize, string? sortBy, string? filter)
    {
        q.Add("page_token", string.IsNullOrEmpty(pageToken) ? null : pageToken);
        q.Add("page_size", (long)pageSize);
        q.Add("sort_by", sortBy);
        q.Add("filter", filter);
    }

    private static HttpRequestMessage Get(string relative) => new(HttpMethod.Get, Root + relative);

    private static HttpRequestMessage Post(string relative, HttpContent? content = null)
        => new(HttpMethod.Post, Root + relative) { Content = content };

    /// <summary>
    /// The multipart body with part <c>uploadfile</c>. The Content-Disposition is written with quoted name and
    /// filename as browsers and Go's mime/multipart do (.NET would leave them unquoted and add <c>filename*</c>,
    /// which some multipart parsers reject); quotes and backslashes in the file name are replaced.
    /// </summary>
    private static HttpRequestMessage Upload(string relative, Stream content, string fileName)
    {
        var file = new StreamContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var safeName = fileName.Replace('"', '_').Replace('\\', '_');
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"uploadfile\"", FileName = $"\"{safeName}\"" };
        var form = new MultipartFormDataContent { file };
        return new HttpRequestMessage(HttpMethod.Post, Root + relative) { Content = form };
    }
}
