using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.MLflow.Api;

/// <summary>
/// MLflow's tracking REST API (<c>/api/2.0/mlflow</c>): server version, experiments, runs, logging, metric
/// history and the tracking-side artifact listing. Shapes as recorded from real 2.17.2 and 3.11 servers: POST
/// bodies are JSON; GET parameters are query strings. Retry marks: reads and idempotent writes are retried,
/// creating a run never once sent.
/// </summary>
internal interface IMLflowTrackingApi
{
    [Get("/version")]
    Task<string> GetVersionAsync(CancellationToken ct);

    // ---- experiments

    [Post("/api/2.0/mlflow/experiments/create")]
    [NotRetryable("a replayed create answers RESOURCE_ALREADY_EXISTS for the experiment it made")]
    Task<CreateExperimentResponse> CreateExperimentAsync([Body] CreateExperimentRequest body, CancellationToken ct);

    [Get("/api/2.0/mlflow/experiments/get")]
    Task<ExperimentResponse> GetExperimentAsync([AliasAs("experiment_id")] string experimentId, CancellationToken ct);

    [Get("/api/2.0/mlflow/experiments/get-by-name")]
    Task<ExperimentResponse> GetExperimentByNameAsync([AliasAs("experiment_name")] string name, CancellationToken ct);

    [Post("/api/2.0/mlflow/experiments/search")]
    [Idempotent("read-only search: the endpoint is POST-only")]
    Task<SearchExperimentsResponse> SearchExperimentsAsync([Body] SearchExperimentsRequest body, CancellationToken ct);

    /// <summary>Not retried: a replayed rename finds the old name gone.</summary>
    [Post("/api/2.0/mlflow/experiments/update")]
    Task UpdateExperimentAsync([Body] ExperimentRequest body, CancellationToken ct);

    /// <summary>Not retried: a second delete of a deleted experiment answers 404.</summary>
    [Post("/api/2.0/mlflow/experiments/delete")]
    Task DeleteExperimentAsync([Body] ExperimentRequest body, CancellationToken ct);

    /// <summary>Not retried: restoring an active experiment answers 404.</summary>
    [Post("/api/2.0/mlflow/experiments/restore")]
    Task RestoreExperimentAsync([Body] ExperimentRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/experiments/set-experiment-tag")]
    [Idempotent("setting a tag to a value twice leaves the same value")]
    Task SetExperimentTagAsync([Body] ExperimentRequest body, CancellationToken ct);

    /// <summary>MLflow 3.2+ only; not retried: a second delete of the tag answers 404.</summary>
    [Post("/api/2.0/mlflow/experiments/delete-experiment-tag")]
    Task DeleteExperimentTagAsync([Body] ExperimentRequest body, CancellationToken ct);

    // ---- runs

    [Post("/api/2.0/mlflow/runs/create")]
    [NotRetryable("a second request would create a second run")]
    Task<RunResponse> CreateRunAsync([Body] CreateRunRequest body, CancellationToken ct);

    [Get("/api/2.0/mlflow/runs/get")]
    Task<RunResponse> GetRunAsync([AliasAs("run_id")] string runId, CancellationToken ct);

    [Post("/api/2.0/mlflow/runs/update")]
    [Idempotent("setting status, end time and name to given values twice leaves the same values")]
    Task<UpdateRunResponse> UpdateRunAsync([Body] RunRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/runs/delete")]
    [Idempotent("deleting a deleted run succeeds again")]
    Task DeleteRunAsync([Body] RunRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/runs/restore")]
    [Idempotent("restoring an active run is a no-op")]
    Task RestoreRunAsync([Body] RunRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/runs/search")]
    [Idempotent("read-only search: the endpoint is POST-only")]
    Task<SearchRunsResponse> SearchRunsAsync([Body] SearchRunsRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/runs/log-batch")]
    [Idempotent("a replayed batch writes identical metric points again and the same params (same value is a no-op) and tags")]
    Task LogBatchAsync([Body] LogBatchRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/runs/set-tag")]
    [Idempotent("setting a tag to a value twice leaves the same value")]
    Task SetTagAsync([Body] RunRequest body, CancellationToken ct);

    /// <summary>Not retried: a second delete of the tag answers 404.</summary>
    [Post("/api/2.0/mlflow/runs/delete-tag")]
    Task DeleteTagAsync([Body] RunRequest body, CancellationToken ct);

    [Post("/api/2.0/mlflow/runs/log-inputs")]
    [Idempotent("the server de-duplicates dataset inputs by (name, digest)")]
    Task LogInputsAsync([Body] LogInputsRequest body, CancellationToken ct);

    /// <summary>
    /// 2.x ignores <paramref name="maxResults"/> and <paramref name="pageToken"/> and returns the whole history;
    /// 3.x pages, and answers no metrics at all without <c>max_results</c>, so it is always sent.
    /// </summary>
    [Get("/api/2.0/mlflow/metrics/get-history")]
    Task<MetricHistoryResponse> GetMetricHistoryAsync([AliasAs("run_id")] string runId, [AliasAs("metric_key")] string metricKey,
        [AliasAs("max_results")] int maxResults, [AliasAs("page_token")] string? pageToken, CancellationToken ct);

    /// <summary>Tracking-side listing: run-relative paths plus <c>root_uri</c>.</summary>
    [Get("/api/2.0/mlflow/artifacts/list")]
    Task<ListArtifactsResponse> ListArtifactsAsync([AliasAs("run_id")] string runId, string? path, [AliasAs("page_token")] string? pageToken, CancellationToken ct);
}
