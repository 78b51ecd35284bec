using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Airflow.Api;

/// <summary>
/// Airflow's DAG-run endpoints in both dialects (routes and type arguments as in <see cref="IAirflowDagsApi"/>; run ids
/// hold <c>:</c> and <c>+</c>, percent-encoded once as path parameters). Triggering and clearing are never re-sent once
/// they may have reached the server; setting a state is idempotent; reads and deletes are retried by method.
/// </summary>
[Headers("Accept: application/json")]
internal interface IAirflowDagRunsApi
{
    /// <summary>The body is <see cref="TriggerV1Body"/> or <see cref="TriggerV2Body"/>; the run id is always in it.</summary>
    [Post("/{**api}dags/{dagId}/dagRuns")]
    [NotRetryable("a second request could start a second DAG run; a caller repeating the trigger with the same run id meets 409 and gets the existing run")]
    Task<TRun> TriggerAsync<TBody, TRun>(string api, PathSegment dagId, [Body] TBody body, CancellationToken ct);

    [Get("/{**api}dags/{dagId}/dagRuns/{dagRunId}")]
    Task<TRun> GetAsync<TRun>(string api, PathSegment dagId, PathSegment dagRunId, CancellationToken ct);

    /// <summary>
    /// One page of runs of a DAG (<c>~</c> for all). v1 has only the inclusive <paramref name="startDateLte"/> and takes
    /// one <c>order_by</c>; v2 has the exclusive <paramref name="startDateLt"/> and repeats <c>order_by</c>. Null bounds are left out.
    /// </summary>
    [Get("/{**api}dags/{dagId}/dagRuns")]
    Task<TPage> ListAsync<TPage>(string api, PathSegment dagId, int limit, int offset, [Query(CollectionFormat.Multi)] IEnumerable<string> state,
        [AliasAs("start_date_gte")] string? startDateGte, [AliasAs("start_date_lte")] string? startDateLte, [AliasAs("start_date_lt")] string? startDateLt,
        [AliasAs("order_by"), Query(CollectionFormat.Multi)] IEnumerable<string> orderBy, CancellationToken ct);

    [Patch("/{**api}dags/{dagId}/dagRuns/{dagRunId}")]
    [Idempotent("setting the run's state to a value twice leaves the same state")]
    Task<TRun> SetStateAsync<TRun>(string api, PathSegment dagId, PathSegment dagRunId, [Body] DagRunStateBody body, CancellationToken ct);

    [Post("/{**api}dags/{dagId}/dagRuns/{dagRunId}/clear")]
    [NotRetryable("a second clear would reset the tasks the first one already set running again")]
    Task<TRun> ClearAsync<TRun>(string api, PathSegment dagId, PathSegment dagRunId, [Body] DagRunClearBody body, CancellationToken ct);

    /// <summary>A retried DELETE that meets 404 is counted as done by the core.</summary>
    [Delete("/{**api}dags/{dagId}/dagRuns/{dagRunId}")]
    Task DeleteAsync(string api, PathSegment dagId, PathSegment dagRunId, CancellationToken ct);
}
