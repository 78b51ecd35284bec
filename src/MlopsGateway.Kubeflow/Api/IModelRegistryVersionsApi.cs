using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// The Model Registry's model versions and the artifacts attached to them (REST <c>v1alpha3</c>, on the registry's
/// own client). A version is archived with <c>state=ARCHIVED</c>; its name (the gateway's version number) stays taken.
/// </summary>
internal interface IModelRegistryVersionsApi
{
    [Post("/api/model_registry/v1alpha3/model_versions")]
    [NotRetryable("a second request would register a second version (the gateway picks the number and moves to the next one on Conflict itself)")]
    Task<MrModelVersion> CreateAsync([Body] MrModelVersion body, CancellationToken ct);

    /// <summary>A version by name under its registered model, archived ones included.</summary>
    [Get("/api/model_registry/v1alpha3/model_version")]
    Task<MrModelVersion> FindByNameAsync(string name, string parentResourceId, CancellationToken ct);

    /// <summary>Changes the members <paramref name="patch"/> sets, nothing else.</summary>
    [Patch("/api/model_registry/v1alpha3/model_versions/{modelVersionId}")]
    [Idempotent("it sets the given members to the given values; setting them again leaves the same version")]
    Task<MrModelVersion> UpdateAsync(PathSegment modelVersionId, [Body] MrModelVersion patch, CancellationToken ct);

    /// <summary>Every artifact kind attached to the version (model, doc, dataset, metric…).</summary>
    [Get("/api/model_registry/v1alpha3/model_versions/{modelVersionId}/artifacts")]
    Task<MrList<MrModelArtifact>> ListArtifactsAsync(PathSegment modelVersionId, int pageSize, string orderBy, string sortOrder,
        string? nextPageToken, CancellationToken ct);

    /// <summary>Creates the artifact and attaches it to the version in one call.</summary>
    [Post("/api/model_registry/v1alpha3/model_versions/{modelVersionId}/artifacts")]
    [NotRetryable("a replay could attach a second artifact to the version")]
    Task<MrModelArtifact> AddArtifactAsync(PathSegment modelVersionId, [Body] MrModelArtifact body, CancellationToken ct);
}
