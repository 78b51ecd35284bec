using System.Net.Http.Json;
using MlopsGateway.Http;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// The Kubeflow Model Registry REST API (v1alpha3), one method per endpoint. It lives at its own base URL
/// (<c>ModelRegistryBaseUrl</c>), so requests carry absolute URIs through the backend's one HTTP client (the
/// core's auth, resilience and limiter still apply). The API has no DELETE: archive with <c>state=ARCHIVED</c>.
/// </summary>
internal sealed class ModelRegistryApi(BackendHttp http, Uri baseUri)
{
    private static readonly ModelRegistryJsonContext Json = ModelRegistryJsonContext.Default;
    private readonly Uri _root = new(baseUri, "api/model_registry/v1alpha3/");

    // ---- registered models --------------------------------------------------------------------------

    /// <summary>Not retried once sent: names are unique, so a replay would report a Conflict the caller did not cause.</summary>
    public Task<MrRegisteredModel> CreateRegisteredModelAsync(MrRegisteredModel body, CancellationToken ct)
        => http.SendAsync(Send(HttpMethod.Post, "registered_models", JsonContent.Create(body, Json.MrRegisteredModel)), Json.MrRegisteredModel, ct);

    public Task<MrRegisteredModel> GetRegisteredModelAsync(string id, CancellationToken ct)
        => http.SendAsync(Send(HttpMethod.Get, $"registered_models/{UrlPath.Segment(id)}"), Json.MrRegisteredModel, ct);

    /// <summary><c>GET /registered_model?name=</c>: the one model with that name (archived ones included).</summary>
    public Task<MrRegisteredModel> FindRegisteredModelAsync(string name, CancellationToken ct)
    {
        var q = new QueryBuilder();
        q.Add("name", name);
        return http.SendAsync(Send(HttpMethod.Get, "registered_model" + q), Json.MrRegisteredModel, ct);
    }

    public Task<MrList<MrRegisteredModel>> ListRegisteredModelsAsync(string? filterQuery, string? pageToken, int pageSize, CancellationToken ct)
        => http.SendAsync(Send(HttpMethod.Get, "registered_models" + ListQuery(filterQuery, pageToken, pageSize)), Json.MrListMrRegisteredModel, ct);

    /// <summary>PATCH of the given members only; setting the same values again is harmless, so it is retried.</summary>
    public Task<MrRegisteredModel> UpdateRegisteredModelAsync(string id, MrRegisteredModel patch, CancellationToken ct)
        => http.SendAsync(
            Send(HttpMethod.Patch, $"registered_models/{UrlPath.Segment(id)}", JsonContent.Create(patch, Json.MrRegisteredModel)).MarkIdempotent(),
            Json.MrRegisteredModel, ct);

    public Task<MrList<MrModelVersion>> ListModelVersionsAsync(string registeredModelId, string? pageToken, int pageSize, CancellationToken ct)
        => http.SendAsync(
            Send(HttpMethod.Get, $"registered_models/{UrlPath.Segment(registeredModelId)}/versions" + ListQuery(null, pageToken, pageSize)),
            Json.MrListMrModelVersion, ct);

    // ---- model versions -----------------------------------------------------------------------------

    /// <summary>Not retried once sent: the gateway picks the version name and retries with the next number on Conflict itself.</summary>
    public Task<MrModelVersion> CreateModelVersionAsync(MrModelVersion body, CancellationToken ct)
        => http.SendAsync(Send(HttpMethod.Post, "model_versions", JsonContent.Create(body, Json.MrModelVersion)), Json.MrModelVersion, ct);

    public Task<MrModelVersion> GetModelVersionAsync(string id, CancellationToken ct)
        => http.SendAsync(Send(HttpMethod.Get, $"model_versions/{UrlPath.Segment(id)}"), Json.MrModelVersion, ct);

    /// <summary><c>GET /model_version?name=&amp;parentResourceId=</c>: a version by name under its registered model.</summary>
    public Task<MrModelVersion> FindModelVersionAsync(string name, string registeredModelId, CancellationToken ct)
    {
        var q = new QueryBuilder();
        q.Add("name", name);
        q.Add("parentResourceId", registeredModelId);
        return http.SendAsync(Send(HttpMethod.Get, "model_version" + q), Json.MrModelVersion, ct);
    }

    /// <summary>PATCH of the given members only; idempotent, so retried.</summary>
    public Task<MrModelVersion> UpdateModelVersionAsync(string id, MrModelVersion patch, CancellationToken ct)
        => http.SendAsync(
            Send(HttpMethod.Patch, $"model_versions/{UrlPath.Segment(id)}", JsonContent.Create(patch, Json.MrModelVersion)).MarkIdempotent(),
            Json.MrModelVersion, ct);

    /// <summary><c>GET /model_artifact?name=&amp;parentResourceId=</c>: a model artifact by name under its model version.</summary>
    public Task<MrModelArtifact> FindModelArtifactAsync(string name, string versionId, CancellationToken ct)
    {
        var q = new QueryBuilder();
        q.Add("name", name);
        q.Add("parentResourceId", versionId);
        return http.SendAsync(Send(HttpMethod.Get, "model_artifact" + q), Json.MrModelArtifact, ct);
    }

    public Task<MrModelArtifact> GetModelArtifactAsync(string id, CancellationToken ct)
        => http.SendAsync(Send(HttpMethod.Get, $"model_artifacts/{UrlPath.Segment(id)}"), Json.MrModelArtifact, ct);

    /// <summary><c>PATCH /model_artifacts/{id}</c> (a plain <c>ModelArtifactUpdate</c>) of the given members only; idempotent, so retried.</summary>
    public Task<MrModelArtifact> UpdateModelArtifactAsync(string id, MrModelArtifact patch, CancellationToken ct)
        => http.SendAsync(
            Send(HttpMethod.Patch, $"model_artifacts/{UrlPath.Segment(id)}", JsonContent.Create(patch, Json.MrModelArtifact)).MarkIdempotent(),
            Json.MrModelArtifact, ct);

    public Task<MrList<MrModelArtifact>> ListModelVersionArtifactsAsync(string versionId, string? pageToken, int pageSize, CancellationToken ct)
        => http.SendAsync(
            Send(HttpMethod.Get, $"model_versions/{UrlPath.Segment(versionId)}/artifacts" + ListQuery(null, pageToken, pageSize)),
            Json.MrListMrModelArtifact, ct);

    /// <summary>
    /// Creates the model artifact and associates it with the version in one call. Not retried once sent: a
    /// replay could attach a second artifact.
    /// </summary>
    public Task<MrModelArtifact> AddModelVersionArtifactAsync(string versionId, MrModelArtifact body, CancellationToken ct)
        => http.SendAsync(
            Send(HttpMethod.Post, $"model_versions/{UrlPath.Segment(versionId)}/artifacts", JsonContent.Create(body, Json.MrModelArtifact)),
            Json.MrModelArtifact, ct);

    private static QueryBuilder ListQuery(string? filterQuery, string? pageToken, int pageSize)
    {
        var q = new QueryBuilder();
        q.Add("filterQuery", filterQuery);
        q.Add("pageSize", pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        q.Add("orderBy", "ID");
        q.Add("sortOrder", "ASC");
        q.Add("nextPageToken", string.IsNullOrEmpty(pageToken) ? null : pageToken);
        return q;
    }

    private HttpRequestMessage Send(HttpMethod method, string relative, HttpContent? content = null)
        => new(method, new Uri(_root, relative)) { Content = content };
}
