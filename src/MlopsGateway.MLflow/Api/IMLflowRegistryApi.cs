using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.MLflow.Api;

/// <summary>
/// MLflow's model registry REST API: registered models, versions, aliases, tags and stages. The DELETE endpoints
/// read a JSON body (as the real server requires); creating a version is never retried once sent.
/// </summary>
internal interface IMLflowRegistryApi
{
    /// <summary>Not retried: a replayed create answers RESOURCE_ALREADY_EXISTS.</summary>
    [Post("/api/2.0/mlflow/registered-models/create")]
    Task<RegisteredModelResponse> CreateModelAsync([Body] CreateRegisteredModelRequest body, CancellationToken ct);

    [Get("/api/2.0/mlflow/registered-models/get")]
    Task<RegisteredModelResponse> GetModelAsync(string name, CancellationToken ct);

    [Get("/api/2.0/mlflow/registered-models/search")]
    Task<SearchRegisteredModelsResponse> SearchModelsAsync(string? filter, [AliasAs("max_results")] int maxResults,
        [AliasAs("order_by"), Query(CollectionFormat.Multi)] IEnumerable<string> orderBy, [AliasAs("page_token")] string? pageToken, CancellationToken ct);

    /// <summary>Not retried: a replayed rename finds the old name gone.</summary>
    [Post("/api/2.0/mlflow/registered-models/rename")]
    Task<RegisteredModelResponse> RenameModelAsync([Body] RegistryRequest body, CancellationToken ct);

    [Patch("/api/2.0/mlflow/registered-models/update")]
    [Idempotent("setting a description twice leaves the same description")]
    Task<RegisteredModelResponse> UpdateModelAsync([Body] RegistryRequest body, CancellationToken ct);

    [Delete("/api/2.0/mlflow/registered-models/delete")]
    Task DeleteModelAsync([Body] RegistryRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/registered-models/set-tag")]
    [Idempotent("setting a tag to a value twice leaves the same value")]
    Task SetModelTagAsync([Body] RegistryRequest body, CancellationToken ct);

    [Delete("/api/2.0/mlflow/registered-models/delete-tag")]
    Task DeleteModelTagAsync([Body] RegistryRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/registered-models/alias")]
    [Idempotent("pointing an alias at a version twice leaves it there")]
    Task SetAliasAsync([Body] RegistryRequest body, CancellationToken ct);

    [Delete("/api/2.0/mlflow/registered-models/alias")]
    Task DeleteAliasAsync([Body] RegistryRequest body, CancellationToken ct);

    [Get("/api/2.0/mlflow/registered-models/alias")]
    Task<ModelVersionResponse> GetVersionByAliasAsync(string name, string alias, CancellationToken ct);

    /// <summary>The newest version in each stage (all stages, or only <paramref name="stages"/>, sent as repeated keys).</summary>
    [Get("/api/2.0/mlflow/registered-models/get-latest-versions")]
    Task<SearchModelVersionsResponse> GetLatestVersionsAsync(string name, [Query(CollectionFormat.Multi)] IEnumerable<string> stages, CancellationToken ct);

    // ---- model versions

    [Post("/api/2.0/mlflow/model-versions/create")]
    [NotRetryable("a second request would register a second version")]
    Task<ModelVersionResponse> CreateVersionAsync([Body] CreateModelVersionRequest body, CancellationToken ct);

    [Get("/api/2.0/mlflow/model-versions/get")]
    Task<ModelVersionResponse> GetVersionAsync(string name, string version, CancellationToken ct);

    [Get("/api/2.0/mlflow/model-versions/search")]
    Task<SearchModelVersionsResponse> SearchVersionsAsync(string? filter, [AliasAs("max_results")] int maxResults,
        [AliasAs("order_by"), Query(CollectionFormat.Multi)] IEnumerable<string> orderBy, [AliasAs("page_token")] string? pageToken, CancellationToken ct);

    [Patch("/api/2.0/mlflow/model-versions/update")]
    [Idempotent("setting a description twice leaves the same description")]
    Task<ModelVersionResponse> UpdateVersionAsync([Body] RegistryRequest body, CancellationToken ct);

    [Delete("/api/2.0/mlflow/model-versions/delete")]
    Task DeleteVersionAsync([Body] RegistryRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/model-versions/transition-stage")]
    [Idempotent("moving a version to the stage it is in changes nothing")]
    Task<ModelVersionResponse> TransitionStageAsync([Body] RegistryRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/model-versions/set-tag")]
    [Idempotent("setting a tag to a value twice leaves the same value")]
    Task SetVersionTagAsync([Body] RegistryRequest body, CancellationToken ct);

    [Delete("/api/2.0/mlflow/model-versions/delete-tag")]
    Task DeleteVersionTagAsync([Body] RegistryRequest body, CancellationToken ct);

    [Get("/api/2.0/mlflow/model-versions/get-download-uri")]
    Task<DownloadUriResponse> GetDownloadUriAsync(string name, string version, CancellationToken ct);
}
