using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>The Model Registry's model artifacts (REST <c>v1alpha3</c>, on the registry's own client): where a version's files are.</summary>
internal interface IModelRegistryArtifactsApi
{
    /// <summary>A model artifact by name under its model version.</summary>
    [Get("/api/model_registry/v1alpha3/model_artifact")]
    Task<MrModelArtifact> FindByNameAsync(string name, string parentResourceId, CancellationToken ct);

    [Get("/api/model_registry/v1alpha3/model_artifacts/{modelArtifactId}")]
    Task<MrModelArtifact> GetAsync(PathSegment modelArtifactId, CancellationToken ct);

    /// <summary>A plain <c>ModelArtifactUpdate</c> of the members <paramref name="patch"/> sets, nothing else.</summary>
    [Patch("/api/model_registry/v1alpha3/model_artifacts/{modelArtifactId}")]
    [Idempotent("it sets the given members to the given values; setting them again leaves the same artifact")]
    Task<MrModelArtifact> UpdateAsync(PathSegment modelArtifactId, [Body] MrModelArtifact patch, CancellationToken ct);
}
