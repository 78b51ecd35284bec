using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.MLflow.Api;

/// <summary>
/// MLflow's artifact proxy (<c>/api/2.0/mlflow-artifacts/artifacts</c>, served with <c>--serve-artifacts</c>): the
/// proxy path is the artifact root of <c>mlflow-artifacts:/…</c> plus the run-relative path, each segment
/// percent-encoded once. Uploads and downloads stream; a streamed upload is never retried.
/// </summary>
internal interface IMLflowArtifactsApi
{
    /// <summary>Lists a directory (names relative to it); <paramref name="path"/> is the raw proxy path.</summary>
    [Get("/api/2.0/mlflow-artifacts/artifacts")]
    Task<ListArtifactsResponse> ListAsync(string path, CancellationToken ct);

    [Put("/api/2.0/mlflow-artifacts/artifacts/{**path}")]
    Task UploadAsync(string path, [Body] HttpContent content, CancellationToken ct);

    /// <summary>MLflow 2.x answers a missing file with 500 INTERNAL_ERROR: final, mapped to not-found by the error parser.</summary>
    [Get("/api/2.0/mlflow-artifacts/artifacts/{**path}")]
    [PermanentStatus(500)]
    Task<Stream> DownloadAsync(string path, CancellationToken ct);
}
