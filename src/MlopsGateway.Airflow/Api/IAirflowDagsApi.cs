using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Airflow.Api;

/// <summary>
/// Airflow's DAG endpoints in both dialects. Every route starts with the dialect's API path, <c>{**api}</c>
/// (<c>api/v1/</c>, <c>api/v2/</c>, or empty for a server that serves the API at the root), known only once the
/// dialect is configured or detected; the type argument picks the dialect's DTO (<see cref="DagV1Dto"/> or
/// <see cref="DagV2Dto"/> and their pages). Pausing is idempotent and retried; a DELETE is retried by method.
/// </summary>
[Headers("Accept: application/json")]
internal interface IAirflowDagsApi
{
    /// <summary>
    /// One page of DAGs. <paramref name="tags"/> are repeated keys; <paramref name="tagsMatchMode"/> exists only in v2
    /// (null leaves it out); Airflow 2 matches any of the tags.
    /// </summary>
    [Get("/{**api}dags")]
    Task<TPage> ListAsync<TPage>(string api, int limit, int offset, [Query(CollectionFormat.Multi)] IEnumerable<string> tags,
        [AliasAs("tags_match_mode")] string? tagsMatchMode, bool? paused, [AliasAs("dag_id_pattern")] string? dagIdPattern, CancellationToken ct);

    [Get("/{**api}dags/{dagId}")]
    Task<TDag> GetAsync<TDag>(string api, PathSegment dagId, CancellationToken ct);

    /// <summary>
    /// v1 declares <c>update_mask</c> with <c>explode: false</c> (one comma-joined value); v2 passes null, which
    /// leaves it out (the body holds nothing but <c>is_paused</c>, and a one-element array in a query string is where
    /// Prism's OpenAPI 3.1 check trips).
    /// </summary>
    [Patch("/{**api}dags/{dagId}")]
    [Idempotent("setting is_paused to a value twice leaves the same value")]
    Task<TDag> SetPausedAsync<TDag>(string api, PathSegment dagId, [AliasAs("update_mask")] string? updateMask, [Body] DagPatchBody body, CancellationToken ct);

    /// <summary>v1 answers 204, v2 200 <c>{}</c>; neither body is read.</summary>
    [Delete("/{**api}dags/{dagId}")]
    Task DeleteAsync(string api, PathSegment dagId, CancellationToken ct);
}
