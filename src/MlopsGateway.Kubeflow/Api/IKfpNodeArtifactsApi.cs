using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// KFP's read-artifact endpoint: absent from the 2.17.0 swagger (removed from the proto in 2.15) but still served by
/// a plain handler that answers the whole artifact base64-encoded in <c>{"data": …}</c>.
/// </summary>
internal interface IKfpNodeArtifactsApi
{
    [Get("/apis/v2beta1/runs/{runId}/nodes/{nodeId}/artifacts/{artifactName}:read")]
    Task<KfpReadArtifactResponse> ReadAsync(PathSegment runId, PathSegment nodeId, PathSegment artifactName, CancellationToken ct);
}
