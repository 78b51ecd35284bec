using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Airflow.Api;

/// <summary>
/// Airflow's task-instance endpoints of a DAG run in both dialects (routes and type arguments as in
/// <see cref="IAirflowDagsApi"/>): the listing, one instance, its tries and its log. A mapped instance has its own
/// routes with the map index as a path segment. All reads, retried by method.
/// </summary>
[Headers("Accept: application/json")]
internal interface IAirflowTaskInstancesApi
{
    [Get("/{**api}dags/{dagId}/dagRuns/{dagRunId}/taskInstances")]
    Task<TPage> ListAsync<TPage>(string api, PathSegment dagId, PathSegment dagRunId, int limit, int offset, CancellationToken ct);

    [Get("/{**api}dags/{dagId}/dagRuns/{dagRunId}/taskInstances/{taskId}")]
    Task<TTask> GetAsync<TTask>(string api, PathSegment dagId, PathSegment dagRunId, PathSegment taskId, CancellationToken ct);

    [Get("/{**api}dags/{dagId}/dagRuns/{dagRunId}/taskInstances/{taskId}/{mapIndex}")]
    Task<TTask> GetMappedAsync<TTask>(string api, PathSegment dagId, PathSegment dagRunId, PathSegment taskId, int mapIndex, CancellationToken ct);

    /// <summary>
    /// Every attempt of the instance. Neither dialect pages this listing (v1 declares <c>limit</c>/<c>offset</c> but
    /// Airflow 2.10 ignores them; v2 has none), so no paging parameters are sent.
    /// </summary>
    [Get("/{**api}dags/{dagId}/dagRuns/{dagRunId}/taskInstances/{taskId}/tries")]
    Task<TPage> ListTriesAsync<TPage>(string api, PathSegment dagId, PathSegment dagRunId, PathSegment taskId, CancellationToken ct);

    [Get("/{**api}dags/{dagId}/dagRuns/{dagRunId}/taskInstances/{taskId}/{mapIndex}/tries")]
    Task<TPage> ListMappedTriesAsync<TPage>(string api, PathSegment dagId, PathSegment dagRunId, PathSegment taskId, int mapIndex, CancellationToken ct);

    /// <summary>
    /// One chunk of a try's log as JSON (Airflow sends NDJSON or text only to other <c>Accept</c> values), continuing
    /// from <paramref name="token"/>. <paramref name="mapIndex"/> is null for an unmapped task: Airflow 2.10 answers
    /// 404 to <c>map_index=0</c> there.
    /// </summary>
    [Get("/{**api}dags/{dagId}/dagRuns/{dagRunId}/taskInstances/{taskId}/logs/{tryNumber}")]
    Task<TaskLogDto> GetLogAsync(string api, PathSegment dagId, PathSegment dagRunId, PathSegment taskId, int tryNumber,
        [AliasAs("map_index")] int? mapIndex, string? token, CancellationToken ct);
}
