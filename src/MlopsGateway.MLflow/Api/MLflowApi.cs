using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MlopsGateway.Http;

namespace MlopsGateway.MLflow.Api;

/// <summary>
/// The MLflow REST API written out, one method per endpoint (like a Refit interface), over the core's
/// <see cref="BackendHttp"/>. Exact wire shapes as recorded from a real 2.17.2 server: JSON POST/PATCH
/// bodies with <c>Content-Type: application/json</c> and a known length; GET parameters in the query
/// string with repeated keys; the registry's DELETE endpoints read a JSON body. Retry marks: reads and
/// idempotent writes are marked so; creating a run or a model version is never retried once sent.
/// </summary>
internal sealed class MLflowApi(BackendHttp http)
{
    private const string Tracking = "api/2.0/mlflow/";
    private const string Artifacts = "api/2.0/mlflow-artifacts/artifacts";
    private static MLflowJsonContext Ctx => MLflowJsonContext.Default;

    // ---- server

    public Task<string> GetVersionAsync(CancellationToken ct)
        => http.SendForTextAsync(new HttpRequestMessage(HttpMethod.Get, "version"), ct);

    // ---- experiments

    public Task<CreateExperimentResponse> CreateExperimentAsync(CreateExperimentRequest body, CancellationToken ct)
        => http.SendAsync(Post("experiments/create", body, Ctx.CreateExperimentRequest), Ctx.CreateExperimentResponse, ct);

    public Task<ExperimentResponse> GetExperimentAsync(string experimentId, CancellationToken ct)
        => http.SendAsync(Get("experiments/get", new QueryBuilder().Add("experiment_id", experimentId)), Ctx.ExperimentResponse, ct);

    public Task<ExperimentResponse> GetExperimentByNameAsync(string name, CancellationToken ct)
        => http.SendAsync(Get("experiments/get-by-name", new QueryBuilder().Add("experiment_name", name)), Ctx.ExperimentResponse, ct);

    /// <summary>Read-only POST: marked idempotent so it is retried like a GET.</summary>
    public Task<SearchExperimentsResponse> SearchExperimentsAsync(SearchExperimentsRequest body, CancellationToken ct)
        => http.SendAsync(Post("experiments/search", body, Ctx.SearchExperimentsRequest).MarkIdempotent(), Ctx.SearchExperimentsResponse, ct);

    public Task UpdateExperimentAsync(string experimentId, string newName, CancellationToken ct)
        => http.SendAsync(Post("experiments/update", new ExperimentRequest { ExperimentId = experimentId, NewName = newName }, Ctx.ExperimentRequest), ct);

    /// <summary>Not retried: a second delete of a deleted experiment answers 404.</summary>
    public Task DeleteExperimentAsync(string experimentId, CancellationToken ct)
        => http.SendAsync(Post("experiments/delete", new ExperimentRequest { ExperimentId = experimentId }, Ctx.ExperimentRequest), ct);

    /// <summary>Not retried: restoring an active experiment answers 404.</summary>
    public Task RestoreExperimentAsync(string experimentId, CancellationToken ct)
        => http.SendAsync(Post("experiments/restore", new ExperimentRequest { ExperimentId = experimentId }, Ctx.ExperimentRequest), ct);

    /// <summary>Setting a tag to a value is idempotent.</summary>
    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken ct)
        => http.SendAsync(Post("experiments/set-experiment-tag", new ExperimentRequest { ExperimentId = experimentId, Key = key, Value = value }, Ctx.ExperimentRequest).MarkIdempotent(), ct);

    /// <summary>MLflow 3.2+ only.</summary>
    public Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken ct)
        => http.SendAsync(Post("experiments/delete-experiment-tag", new ExperimentRequest { ExperimentId = experimentId, Key = key }, Ctx.ExperimentRequest), ct);

    // ---- runs

    /// <summary>Creates a run: never retried once sent (a retry could create a second run).</summary>
    public Task<RunResponse> CreateRunAsync(CreateRunRequest body, CancellationToken ct)
        => http.SendAsync(Post("runs/create", body, Ctx.CreateRunRequest).MarkNotRetryable(), Ctx.RunResponse, ct);

    public Task<RunResponse> GetRunAsync(string runId, CancellationToken ct)
        => http.SendAsync(Get("runs/get", new QueryBuilder().Add("run_id", runId)), Ctx.RunResponse, ct);

    /// <summary>Setting status/end time/name to given values is idempotent.</summary>
    public Task<UpdateRunResponse> UpdateRunAsync(RunRequest body, CancellationToken ct)
        => http.SendAsync(Post("runs/update", body, Ctx.RunRequest).MarkIdempotent(), Ctx.UpdateRunResponse, ct);

    /// <summary>Soft delete; deleting a deleted run succeeds again, so it is idempotent.</summary>
    public Task DeleteRunAsync(string runId, CancellationToken ct)
        => http.SendAsync(Post("runs/delete", new RunRequest { RunId = runId }, Ctx.RunRequest).MarkIdempotent(), ct);

    /// <summary>Restoring an active run is a no-op, so it is idempotent.</summary>
    public Task RestoreRunAsync(string runId, CancellationToken ct)
        => http.SendAsync(Post("runs/restore", new RunRequest { RunId = runId }, Ctx.RunRequest).MarkIdempotent(), ct);

    /// <summary>Read-only POST (runs/search is POST-only): marked idempotent.</summary>
    public Task<SearchRunsResponse> SearchRunsAsync(SearchRunsRequest body, CancellationToken ct)
        => http.SendAsync(Post("runs/search", body, Ctx.SearchRunsRequest).MarkIdempotent(), Ctx.SearchRunsResponse, ct);

    /// <summary>
    /// Idempotent: a replayed batch writes the same metric rows again (harmless duplicates of identical
    /// points), the same params (same value is a no-op) and the same tags.
    /// </summary>
    public Task LogBatchAsync(LogBatchRequest body, CancellationToken ct)
        => http.SendAsync(Post("runs/log-batch", body, Ctx.LogBatchRequest).MarkIdempotent(), ct);

    public Task SetTagAsync(string runId, string key, string value, CancellationToken ct)
        => http.SendAsync(Post("runs/set-tag", new RunRequest { RunId = runId, Key = key, Value = value }, Ctx.RunRequest).MarkIdempotent(), ct);

    /// <summary>Not retried: a second delete of the tag answers 404.</summary>
    public Task DeleteTagAsync(string runId, string key, CancellationToken ct)
        => http.SendAsync(Post("runs/delete-tag", new RunRequest { RunId = runId, Key = key }, Ctx.RunRequest), ct);

    /// <summary>The server de-duplicates dataset inputs by (name, digest), so a replay is harmless.</summary>
    public Task LogInputsAsync(LogInputsRequest body, CancellationToken ct)
        => http.SendAsync(Post("runs/log-inputs", body, Ctx.LogInputsRequest).MarkIdempotent(), ct);

    /// <summary>2.x ignores <paramref name="maxResults"/>/<paramref name="pageToken"/> and returns everything; 3.1.1+ pages.</summary>
    public Task<MetricHistoryResponse> GetMetricHistoryAsync(string runId, string metricKey, int maxResults, string? pageToken, CancellationToken ct)
        => http.SendAsync(Get("metrics/get-history", new QueryBuilder().Add("run_id", runId).Add("metric_key", metricKey)
            .Add("max_results", maxResults).Add("page_token", pageToken)), Ctx.MetricHistoryResponse, ct);

    // ---- artifacts

    /// <summary>Tracking-side listing: run-relative paths plus root_uri.</summary>
    public Task<ListArtifactsResponse> ListArtifactsAsync(string runId, string? path, string? pageToken, CancellationToken ct)
        => http.SendAsync(Get("artifacts/list", new QueryBuilder().Add("run_id", runId).Add("path", string.IsNullOrEmpty(path) ? null : path)
            .Add("page_token", pageToken)), Ctx.ListArtifactsResponse, ct);

    /// <summary>Proxy listing of a directory (names relative to it); <paramref name="directory"/> is the raw proxy path.</summary>
    public Task<ListArtifactsResponse> ProxyListAsync(string directory, CancellationToken ct)
        => http.SendAsync(new HttpRequestMessage(HttpMethod.Get, Artifacts + new QueryBuilder().Add("path", directory)), Ctx.ListArtifactsResponse, ct);

    /// <summary>Streams the upload (never buffered whole); streamed content is never retried by the core.</summary>
    public Task ProxyUploadAsync(IReadOnlyList<string> segments, Stream content, CancellationToken ct)
    {
        var body = new StreamContent(content, 81920);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return http.SendAsync(new HttpRequestMessage(HttpMethod.Put, ProxyPath(segments)) { Content = body }, ct);
    }

    /// <summary>
    /// Streams a download. The server answers a missing file with 500 INTERNAL_ERROR: that answer is marked
    /// permanent so it is mapped (to not-found by the error parser) instead of retried.
    /// </summary>
    public Task<Stream> ProxyDownloadAsync(IReadOnlyList<string> segments, CancellationToken ct)
        => http.OpenReadAsync(new HttpRequestMessage(HttpMethod.Get, ProxyPath(segments))
            .MarkPermanentResponse(static r => r.StatusCode == HttpStatusCode.InternalServerError), ct);

    private static string ProxyPath(IReadOnlyList<string> segments) => UrlPath.Combine(Artifacts, [.. segments]);

    // ---- registered models

    public Task<RegisteredModelResponse> CreateModelAsync(CreateRegisteredModelRequest body, CancellationToken ct)
        => http.SendAsync(Post("registered-models/create", body, Ctx.CreateRegisteredModelRequest), Ctx.RegisteredModelResponse, ct);

    public Task<RegisteredModelResponse> GetModelAsync(string name, CancellationToken ct)
        => http.SendAsync(Get("registered-models/get", new QueryBuilder().Add("name", name)), Ctx.RegisteredModelResponse, ct);

    public Task<SearchRegisteredModelsResponse> SearchModelsAsync(string? filter, int maxResults, string? pageToken, IEnumerable<string> orderBy, CancellationToken ct)
        => http.SendAsync(Get("registered-models/search", new QueryBuilder().Add("filter", filter).Add("max_results", maxResults)
            .AddEach("order_by", orderBy).Add("page_token", pageToken)), Ctx.SearchRegisteredModelsResponse, ct);

    /// <summary>Not retried: a replayed rename finds the old name gone.</summary>
    public Task<RegisteredModelResponse> RenameModelAsync(string name, string newName, CancellationToken ct)
        => http.SendAsync(Post("registered-models/rename", new RegistryRequest { Name = name, NewName = newName }, Ctx.RegistryRequest), Ctx.RegisteredModelResponse, ct);

    /// <summary>PATCH setting a description is idempotent.</summary>
    public Task<RegisteredModelResponse> UpdateModelAsync(string name, string? description, CancellationToken ct)
        => http.SendAsync(Body(HttpMethod.Patch, "registered-models/update", new RegistryRequest { Name = name, Description = description }).MarkIdempotent(), Ctx.RegisteredModelResponse, ct);

    public Task DeleteModelAsync(string name, CancellationToken ct)
        => http.SendAsync(Body(HttpMethod.Delete, "registered-models/delete", new RegistryRequest { Name = name }), ct);

    public Task SetModelTagAsync(string name, string key, string value, CancellationToken ct)
        => http.SendAsync(Post("registered-models/set-tag", new RegistryRequest { Name = name, Key = key, Value = value }, Ctx.RegistryRequest).MarkIdempotent(), ct);

    public Task DeleteModelTagAsync(string name, string key, CancellationToken ct)
        => http.SendAsync(Body(HttpMethod.Delete, "registered-models/delete-tag", new RegistryRequest { Name = name, Key = key }), ct);

    /// <summary>Setting an alias to a version is idempotent.</summary>
    public Task SetAliasAsync(string name, string alias, string version, CancellationToken ct)
        => http.SendAsync(Post("registered-models/alias", new RegistryRequest { Name = name, Alias = alias, Version = version }, Ctx.RegistryRequest).MarkIdempotent(), ct);

    public Task DeleteAliasAsync(string name, string alias, CancellationToken ct)
        => http.SendAsync(Body(HttpMethod.Delete, "registered-models/alias", new RegistryRequest { Name = name, Alias = alias }), ct);

    public Task<ModelVersionResponse> GetVersionByAliasAsync(string name, string alias, CancellationToken ct)
        => http.SendAsync(Get("registered-models/alias", new QueryBuilder().Add("name", name).Add("alias", alias)), Ctx.ModelVersionResponse, ct);

    // ---- model versions

    /// <summary>Creates a version: never retried once sent (a retry would register a second version).</summary>
    public Task<ModelVersionResponse> CreateVersionAsync(CreateModelVersionRequest body, CancellationToken ct)
        => http.SendAsync(Post("model-versions/create", body, Ctx.CreateModelVersionRequest).MarkNotRetryable(), Ctx.ModelVersionResponse, ct);

    public Task<ModelVersionResponse> GetVersionAsync(string name, string version, CancellationToken ct)
        => http.SendAsync(Get("model-versions/get", new QueryBuilder().Add("name", name).Add("version", version)), Ctx.ModelVersionResponse, ct);

    public Task<SearchModelVersionsResponse> SearchVersionsAsync(string? filter, int maxResults, string? pageToken, IEnumerable<string> orderBy, CancellationToken ct)
        => http.SendAsync(Get("model-versions/search", new QueryBuilder().Add("filter", filter).Add("max_results", maxResults)
            .AddEach("order_by", orderBy).Add("page_token", pageToken)), Ctx.SearchModelVersionsResponse, ct);

    public Task<ModelVersionResponse> UpdateVersionAsync(string name, string version, string? description, CancellationToken ct)
        => http.SendAsync(Body(HttpMethod.Patch, "model-versions/update", new RegistryRequest { Name = name, Version = version, Description = description }).MarkIdempotent(), Ctx.ModelVersionResponse, ct);

    public Task DeleteVersionAsync(string name, string version, CancellationToken ct)
        => http.SendAsync(Body(HttpMethod.Delete, "model-versions/delete", new RegistryRequest { Name = name, Version = version }), ct);

    /// <summary>Moving a version to a stage it is already in changes nothing: idempotent.</summary>
    public Task<ModelVersionResponse> TransitionStageAsync(string name, string version, string stage, bool archiveExisting, CancellationToken ct)
        => http.SendAsync(Post("model-versions/transition-stage", new RegistryRequest
        {
            Name = name, Version = version, Stage = stage, ArchiveExistingVersions = archiveExisting,
        }, Ctx.RegistryRequest).MarkIdempotent(), Ctx.ModelVersionResponse, ct);

    public Task SetVersionTagAsync(string name, string version, string key, string value, CancellationToken ct)
        => http.SendAsync(Post("model-versions/set-tag", new RegistryRequest { Name = name, Version = version, Key = key, Value = value }, Ctx.RegistryRequest).MarkIdempotent(), ct);

    public Task DeleteVersionTagAsync(string name, string version, string key, CancellationToken ct)
        => http.SendAsync(Body(HttpMethod.Delete, "model-versions/delete-tag", new RegistryRequest { Name = name, Version = version, Key = key }), ct);

    /// <summary>The newest version in each stage (all stages, or only <paramref name="stages"/>, sent as repeated keys).</summary>
    public Task<SearchModelVersionsResponse> GetLatestVersionsAsync(string name, IEnumerable<string> stages, CancellationToken ct)
        => http.SendAsync(Get("registered-models/get-latest-versions", new QueryBuilder().Add("name", name).AddEach("stages", stages)), Ctx.SearchModelVersionsResponse, ct);

    public Task<DownloadUriResponse> GetDownloadUriAsync(string name, string version, CancellationToken ct)
        => http.SendAsync(Get("model-versions/get-download-uri", new QueryBuilder().Add("name", name).Add("version", version)), Ctx.DownloadUriResponse, ct);

    // ---- logged models (MLflow 3.0+, under /api/2.0; callers check the server version first)

    /// <summary>Creates a logged model: never retried once sent (a retry would create a second model).</summary>
    public Task<LoggedModelResponse> CreateLoggedModelAsync(CreateLoggedModelRequest body, CancellationToken ct)
        => http.SendAsync(Post("logged-models", body, Ctx.CreateLoggedModelRequest).MarkNotRetryable(), Ctx.LoggedModelResponse, ct);

    public Task<LoggedModelResponse> GetLoggedModelAsync(string modelId, CancellationToken ct)
        => http.SendAsync(new HttpRequestMessage(HttpMethod.Get, Tracking + "logged-models/" + UrlPath.Segment(modelId)), Ctx.LoggedModelResponse, ct);

    /// <summary>Setting the final status to a given value is idempotent.</summary>
    public Task<LoggedModelResponse> FinalizeLoggedModelAsync(string modelId, string status, CancellationToken ct)
        => http.SendAsync(Json(HttpMethod.Patch, "logged-models/" + UrlPath.Segment(modelId), new FinalizeLoggedModelRequest { ModelId = modelId, Status = status },
            Ctx.FinalizeLoggedModelRequest).MarkIdempotent(), Ctx.LoggedModelResponse, ct);

    /// <summary>Read-only POST: marked idempotent. The page token encodes the query, so every page resends the same body.</summary>
    public Task<SearchLoggedModelsResponse> SearchLoggedModelsAsync(SearchLoggedModelsRequest body, CancellationToken ct)
        => http.SendAsync(Post("logged-models/search", body, Ctx.SearchLoggedModelsRequest).MarkIdempotent(), Ctx.SearchLoggedModelsResponse, ct);

    // ---- request builders

    private static HttpRequestMessage Get(string rpc, QueryBuilder query) => new(HttpMethod.Get, Tracking + rpc + query);

    private static HttpRequestMessage Post<T>(string rpc, T body, JsonTypeInfo<T> type) => Json(HttpMethod.Post, rpc, body, type);

    private static HttpRequestMessage Body(HttpMethod method, string rpc, RegistryRequest body) => Json(method, rpc, body, Ctx.RegistryRequest);

    /// <summary>A JSON body serialized up front (known Content-Length, rewindable for retries).</summary>
    private static HttpRequestMessage Json<T>(HttpMethod method, string rpc, T body, JsonTypeInfo<T> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(method, Tracking + rpc) { Content = content };
    }
}
