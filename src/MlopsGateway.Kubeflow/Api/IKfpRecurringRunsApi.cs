using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>KFP v2beta1 recurring runs (pipeline schedules); their list answers <c>recurringRuns</c> in camelCase.</summary>
/// <remarks>Body-less answers are <c>Task&lt;string&gt;</c>, unread, for the reason given on <see cref="IKfpRunsApi"/>.</remarks>
internal interface IKfpRecurringRunsApi
{
    [Post("/apis/v2beta1/recurringruns")]
    [NotRetryable("a second request would create a second schedule")]
    Task<KfpRecurringRun> CreateAsync([Body] KfpRecurringRun body, CancellationToken ct);

    [Get("/apis/v2beta1/recurringruns/{recurringRunId}")]
    Task<KfpRecurringRun> GetAsync(PathSegment recurringRunId, CancellationToken ct);

    [Get("/apis/v2beta1/recurringruns")]
    Task<KfpListRecurringRunsResponse> ListAsync([AliasAs("page_token")] string? pageToken, [AliasAs("page_size")] int pageSize,
        [AliasAs("sort_by")] string? sortBy, [AliasAs("namespace")] string? ns, [AliasAs("experiment_id")] string? experimentId, CancellationToken ct);

    [Post("/apis/v2beta1/recurringruns/{recurringRunId}:enable")]
    [Idempotent("enabling an enabled schedule leaves it enabled")]
    Task<string> EnableAsync(PathSegment recurringRunId, CancellationToken ct);

    [Post("/apis/v2beta1/recurringruns/{recurringRunId}:disable")]
    [Idempotent("disabling a disabled schedule leaves it disabled")]
    Task<string> DisableAsync(PathSegment recurringRunId, CancellationToken ct);

    [Delete("/apis/v2beta1/recurringruns/{recurringRunId}")]
    Task<string> DeleteAsync(PathSegment recurringRunId, CancellationToken ct);
}
