using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.MLflow.Api;

/// <summary>
/// MLflow 3's logged models (<c>/api/2.0/mlflow/logged-models</c>); callers check the server version first. Ids
/// look like <c>m-&lt;32 hex&gt;</c>; finalize is a PATCH on the model with <c>model_id</c> repeated in the body.
/// </summary>
internal interface IMLflowLoggedModelsApi
{
    [Post("/api/2.0/mlflow/logged-models")]
    [NotRetryable("a second request would create a second logged model")]
    Task<LoggedModelResponse> CreateAsync([Body] CreateLoggedModelRequest body, CancellationToken ct);

    [Get("/api/2.0/mlflow/logged-models/{modelId}")]
    Task<LoggedModelResponse> GetAsync(PathSegment modelId, CancellationToken ct);

    [Patch("/api/2.0/mlflow/logged-models/{modelId}")]
    [Idempotent("setting the final status to a given value twice leaves the same status")]
    Task<LoggedModelResponse> FinalizeAsync(PathSegment modelId, [Body] FinalizeLoggedModelRequest body, CancellationToken ct);

    /// <summary>The page token encodes the query, so every page resends the same body.</summary>
    [Post("/api/2.0/mlflow/logged-models/search")]
    [Idempotent("read-only search")]
    Task<SearchLoggedModelsResponse> SearchAsync([Body] SearchLoggedModelsRequest body, CancellationToken ct);
}
