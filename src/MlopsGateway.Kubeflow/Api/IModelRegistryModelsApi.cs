using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// The Kubeflow Model Registry's registered models (REST <c>v1alpha3</c>), relative to the backend's own
/// <c>Endpoints:ModelRegistry:BaseUrl</c> client. The API has no DELETE: a model is archived with <c>state=ARCHIVED</c>.
/// Lists page with <c>pageSize</c>/<c>nextPageToken</c>; the gateway always asks for <see cref="MrListOrder"/>.
/// </summary>
internal interface IModelRegistryModelsApi
{
    [Post("/api/model_registry/v1alpha3/registered_models")]
    [NotRetryable("names are unique, so a replay would answer a Conflict the caller did not cause")]
    Task<MrRegisteredModel> CreateAsync([Body] MrRegisteredModel body, CancellationToken ct);

    /// <summary>The one model with that name, archived ones included.</summary>
    [Get("/api/model_registry/v1alpha3/registered_model")]
    Task<MrRegisteredModel> FindByNameAsync(string name, CancellationToken ct);

    [Get("/api/model_registry/v1alpha3/registered_models")]
    Task<MrList<MrRegisteredModel>> ListAsync(int pageSize, string orderBy, string sortOrder, string? nextPageToken, CancellationToken ct);

    /// <summary>Changes the members <paramref name="patch"/> sets, nothing else.</summary>
    [Patch("/api/model_registry/v1alpha3/registered_models/{registeredModelId}")]
    [Idempotent("it sets the given members to the given values; setting them again leaves the same model")]
    Task<MrRegisteredModel> UpdateAsync(PathSegment registeredModelId, [Body] MrRegisteredModel patch, CancellationToken ct);

    [Get("/api/model_registry/v1alpha3/registered_models/{registeredModelId}/versions")]
    Task<MrList<MrModelVersion>> ListVersionsAsync(PathSegment registeredModelId, int pageSize, string orderBy, string sortOrder,
        string? nextPageToken, CancellationToken ct);
}
