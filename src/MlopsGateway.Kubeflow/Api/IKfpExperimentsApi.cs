using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// KFP v2beta1 experiments. KFP's soft delete is the <c>:archive</c> colon verb (archived experiments keep their
/// name); <c>DELETE</c> removes one for good.
/// </summary>
/// <remarks>Body-less answers are <c>Task&lt;string&gt;</c>, unread, for the reason given on <see cref="IKfpRunsApi"/>.</remarks>
internal interface IKfpExperimentsApi
{
    [Post("/apis/v2beta1/experiments")]
    [NotRetryable("display names are unique per namespace, so a replay would answer a Conflict the caller did not cause")]
    Task<KfpExperiment> CreateAsync([Body] KfpExperimentCreate body, CancellationToken ct);

    [Get("/apis/v2beta1/experiments/{experimentId}")]
    Task<KfpExperiment> GetAsync(PathSegment experimentId, CancellationToken ct);

    [Get("/apis/v2beta1/experiments")]
    Task<KfpListExperimentsResponse> ListAsync([AliasAs("page_token")] string? pageToken, [AliasAs("page_size")] int pageSize,
        [AliasAs("sort_by")] string? sortBy, string? filter, [AliasAs("namespace")] string? ns, CancellationToken ct);

    [Post("/apis/v2beta1/experiments/{experimentId}:archive")]
    [Idempotent("archiving an archived experiment leaves it archived")]
    Task<string> ArchiveAsync(PathSegment experimentId, CancellationToken ct);

    [Post("/apis/v2beta1/experiments/{experimentId}:unarchive")]
    [Idempotent("unarchiving an active experiment leaves it active")]
    Task<string> UnarchiveAsync(PathSegment experimentId, CancellationToken ct);

    [Delete("/apis/v2beta1/experiments/{experimentId}")]
    Task<string> DeleteAsync(PathSegment experimentId, CancellationToken ct);
}
