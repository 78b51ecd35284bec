using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Metaflow.Api;

/// <summary>
/// The metadata service's flows and runs (metaflow-service 2.5.1, as recorded): the <c>/ping</c> probe, flows, runs,
/// run tags and run heartbeats. JSON arrives typed <c>text/plain</c> and error bodies are often a JSON string holding
/// JSON; both are read by the gateway's serializer and <see cref="MetaflowErrorParser"/>. Every POST and PATCH carries a
/// JSON body (2.5.1 answers an empty one with a 500); creates answer 200. Lists return the raw answer so they are read
/// element by element with constant memory, following <c>X-Next-Cursor</c> where the service pages (after 2.5.1, which
/// ignores <c>_limit</c> and sends everything).
/// </summary>
internal interface IMetaflowRunsApi
{
    /// <summary>Answers <c>pong</c>; the service version is the <c>METADATA_SERVICE_VERSION</c> response header.</summary>
    [Get("/ping")]
    Task<HttpResponseMessage> PingAsync(CancellationToken ct);

    [Get("/flows")]
    Task<HttpResponseMessage> ListFlowsAsync([AliasAs("_limit")] int? limit, [AliasAs("_cursor")] string? cursor, CancellationToken ct);

    [Get("/flows/{flow}")]
    Task<FlowDto> GetFlowAsync(PathSegment flow, CancellationToken ct);

    [Post("/flows/{flow}")]
    [Idempotent("a flow is keyed by its name: a re-sent registration meets 409, which RegisterFlow reads as the flow it registered")]
    Task<FlowDto> CreateFlowAsync(PathSegment flow, [Body] CreateObjectRequest body, CancellationToken ct);

    /// <summary>Runs of a flow; a missing flow's list is <c>200 []</c>, not 404.</summary>
    [Get("/flows/{flow}/runs")]
    Task<HttpResponseMessage> ListRunsAsync(PathSegment flow, [AliasAs("_limit")] int? limit, [AliasAs("_cursor")] string? cursor, CancellationToken ct);

    /// <summary>A run by its number (<c>24</c>) or string id (<c>argo-…</c>).</summary>
    [Get("/flows/{flow}/runs/{run}")]
    Task<RunDto> GetRunAsync(PathSegment flow, PathSegment run, CancellationToken ct);

    /// <summary><c>POST /flows/{f}/run</c> (singular): the body's <c>run_number</c> names the run, else the service numbers it.</summary>
    [Post("/flows/{flow}/run")]
    [NotRetryable("without a run_number in the body the service numbers a second run; with one, a re-sent create meets 409 and RegisterRun, not the transport, reads the existing run")]
    Task<RunDto> CreateRunAsync(PathSegment flow, [Body] CreateObjectRequest body, CancellationToken ct);

    /// <summary>Removals first, then additions; answers the run's user tags afterwards (an unordered set).</summary>
    [Patch("/flows/{flow}/runs/{run}/tag/mutate")]
    [Idempotent("adding present tags and removing absent ones change nothing, so a re-sent mutation leaves the same tags")]
    Task<TagMutationResponse> MutateTagsAsync(PathSegment flow, PathSegment run, [Body] TagMutationRequest body, CancellationToken ct);

    /// <summary>
    /// Sets the run's heartbeat to now; 404 when it updated nothing (a beat under 10 s ago, or no such run). The body is
    /// ignored by the service (the real client sends <c>{}</c>); the answer is a JSON string, kept as text.
    /// </summary>
    [Post("/flows/{flow}/runs/{run}/heartbeat")]
    [Idempotent("a heartbeat sets last_heartbeat_ts to now: a re-sent beat sets it again (or, within 10 s, updates nothing)")]
    Task<string> HeartbeatRunAsync(PathSegment flow, PathSegment run, [Body] EmptyBody body, CancellationToken ct);
}
