using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// KFP v2beta1 runs: create (KFP assigns the id), read, list with KFP's URL-encoded JSON filter, and the colon verbs
/// <c>:terminate</c>, <c>:retry</c>, <c>:archive</c> and <c>:unarchive</c>.
/// </summary>
/// <remarks>
/// Endpoints whose answer carries nothing (<c>google.protobuf.Empty</c>) are declared <c>Task&lt;string&gt;</c>, the
/// text left unread, rather than <c>Task</c>: Refit 17's generated send for a <c>Task</c> method does not hand transport
/// failures to <c>RefitSettings.TransportExceptionFactory</c>, so a refused connection would escape as a raw
/// <see cref="HttpRequestException"/> instead of the core's <see cref="MlopsUnavailableException"/>
/// (<c>ErrorMappingTests</c> pins it). Back to <c>Task</c> once the core maps that path too.
/// </remarks>
internal interface IKfpRunsApi
{
    [Post("/apis/v2beta1/runs")]
    [NotRetryable("KFP assigns run ids, so a second request would start a second run")]
    Task<KfpRun> CreateAsync([Body] KfpRun body, CancellationToken ct);

    [Get("/apis/v2beta1/runs/{runId}")]
    Task<KfpRun> GetAsync(PathSegment runId, CancellationToken ct);

    [Get("/apis/v2beta1/runs")]
    Task<KfpListRunsResponse> ListAsync([AliasAs("namespace")] string? ns, [AliasAs("experiment_id")] string? experimentId,
        [AliasAs("page_token")] string? pageToken, [AliasAs("page_size")] int pageSize, [AliasAs("sort_by")] string? sortBy,
        string? filter, CancellationToken ct);

    [Post("/apis/v2beta1/runs/{runId}:terminate")]
    [Idempotent("terminating a run that is canceling or finished changes nothing (CANCELING stays CANCELING)")]
    Task<string> TerminateAsync(PathSegment runId, CancellationToken ct);

    [Post("/apis/v2beta1/runs/{runId}:retry")]
    [NotRetryable("a second retry of a run that already restarted its failed nodes fails server-side")]
    Task<string> RetryAsync(PathSegment runId, CancellationToken ct);

    [Post("/apis/v2beta1/runs/{runId}:archive")]
    [Idempotent("it sets storage_state only; archiving twice leaves it archived")]
    Task<string> ArchiveAsync(PathSegment runId, CancellationToken ct);

    [Post("/apis/v2beta1/runs/{runId}:unarchive")]
    [Idempotent("it sets storage_state only; unarchiving twice leaves it available")]
    Task<string> UnarchiveAsync(PathSegment runId, CancellationToken ct);

    [Delete("/apis/v2beta1/runs/{runId}")]
    Task<string> DeleteAsync(PathSegment runId, CancellationToken ct);
}
