using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MlopsGateway.Http;
using MlopsGateway.Metaflow.Api;

namespace MlopsGateway.Metaflow.Api;

/// <summary>
/// The metadata service's REST endpoints, one method each (like a Refit interface written out), over the
/// core's <see cref="BackendHttp"/>. Paths are relative to the base URL, every segment percent-encoded.
/// Every POST/PATCH carries a JSON body (an empty one is a 500 on 2.5.1); creates answer 200.
/// </summary>
internal sealed class MetaflowApi(BackendHttp http)
{
    /// <summary>The response header carrying the service version (on <c>/ping</c> and most JSON handlers).</summary>
    public const string VersionHeader = "METADATA_SERVICE_VERSION";

    /// <summary>The response header of the post-2.5.1 cursor paging; its absence means the list was complete.</summary>
    public const string NextCursorHeader = "X-Next-Cursor";

    private static readonly MetaflowJsonContext Json = MetaflowJsonContext.Default;

    // ---- admin -------------------------------------------------------------------------------------

    /// <summary><c>GET /ping</c>: the service version from its header (null when a proxy strips it).</summary>
    public async Task<string?> PingAsync(CancellationToken ct)
    {
        using var response = await http.SendForResponseAsync(Get("ping"), ct).ConfigureAwait(false);
        return response.Headers.TryGetValues(VersionHeader, out var values) ? values.FirstOrDefault()?.Trim() : null;
    }

    // ---- flows -------------------------------------------------------------------------------------

    public IAsyncEnumerable<FlowDto> ListFlowsAsync(int? limit, CancellationToken ct)
        => StreamPagedAsync("flows", limit, Json.FlowDto, ct);

    public Task<FlowDto> GetFlowAsync(string flow, CancellationToken ct)
        => http.SendAsync(Get(P("flows", flow)), Json.FlowDto, ct);

    /// <summary>Registers a flow; a second registration is 409 (Conflict). Marked idempotent: a retry meets 409 and the caller reads it.</summary>
    public Task<FlowDto> CreateFlowAsync(string flow, CreateObjectRequest body, CancellationToken ct)
        => http.SendAsync(Post(P("flows", flow), body, Json.CreateObjectRequest).MarkIdempotent(), Json.FlowDto, ct);

    // ---- runs --------------------------------------------------------------------------------------

    public IAsyncEnumerable<RunDto> ListRunsAsync(string flow, int? limit, CancellationToken ct)
        => StreamPagedAsync(P("flows", flow, "runs"), limit, Json.RunDto, ct);

    public Task<RunDto> GetRunAsync(MetaflowRunRef run, CancellationToken ct)
        => http.SendAsync(Get(RunPath(run)), Json.RunDto, ct);

    /// <summary>
    /// <c>POST /flows/{f}/run</c> (singular). Marked idempotent only when the body names the run: a retry then
    /// meets 409 and the caller reads the existing run; without a name a retry could create a second run.
    /// </summary>
    public Task<RunDto> CreateRunAsync(string flow, CreateObjectRequest body, CancellationToken ct)
    {
        var request = Post(P("flows", flow, "run"), body, Json.CreateObjectRequest);
        if (body.RunNumber is null)
        {
            request.MarkNotRetryable();
        }
        else
        {
            request.MarkIdempotent();
        }
        return http.SendAsync(request, Json.RunDto, ct);
    }

    /// <summary><c>PATCH …/tag/mutate</c>: removals first, then additions; returns the run's user tags afterwards.</summary>
    public Task<TagMutationResponse> MutateTagsAsync(MetaflowRunRef run, TagMutationRequest body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, RunPath(run) + "/tag/mutate")
        {
            Content = JsonContent.Create(body, Json.TagMutationRequest),
        };
        // Adding present tags and removing absent ones are no-ops, so the mutation is idempotent.
        return http.SendAsync(request.MarkIdempotent(), Json.TagMutationResponse, ct);
    }

    /// <summary>Beats a run's heartbeat. False when the service updated nothing (it beat under 10 s ago, or the run is missing).</summary>
    public Task<bool> HeartbeatRunAsync(MetaflowRunRef run, CancellationToken ct)
        => HeartbeatAsync(RunPath(run) + "/heartbeat", ct);

    /// <summary>Beats a task's heartbeat (also bumps its run's).</summary>
    public Task<bool> HeartbeatTaskAsync(MetaflowRunRef run, string step, string task, CancellationToken ct)
        => HeartbeatAsync(TaskPath(run, step, task) + "/heartbeat", ct);

    // ---- steps and tasks ---------------------------------------------------------------------------

    public IAsyncEnumerable<StepDto> ListStepsAsync(MetaflowRunRef run, CancellationToken ct)
        => http.StreamArrayAsync(Get(RunPath(run) + "/steps"), Json.StepDto, ct);

    public Task<StepDto> GetStepAsync(MetaflowRunRef run, string step, CancellationToken ct)
        => http.SendAsync(Get(StepPath(run, step)), Json.StepDto, ct);

    /// <summary><c>POST …/steps/{s}/step</c>; a step exists once per run, so a retry meets 409.</summary>
    public Task<StepDto> CreateStepAsync(MetaflowRunRef run, string step, CreateObjectRequest body, CancellationToken ct)
        => http.SendAsync(Post(StepPath(run, step) + "/step", body, Json.CreateObjectRequest).MarkIdempotent(), Json.StepDto, ct);

    public IAsyncEnumerable<TaskDto> ListTasksAsync(MetaflowRunRef run, string step, CancellationToken ct)
        => http.StreamArrayAsync(Get(StepPath(run, step) + "/tasks"), Json.TaskDto, ct);

    public Task<TaskDto> GetTaskAsync(MetaflowRunRef run, string step, string task, CancellationToken ct)
        => http.SendAsync(Get(TaskPath(run, step, task)), Json.TaskDto, ct);

    /// <summary><c>POST …/steps/{s}/task</c> (singular); idempotent only when the body names the task.</summary>
    public Task<TaskDto> CreateTaskAsync(MetaflowRunRef run, string step, CreateObjectRequest body, CancellationToken ct)
    {
        var request = Post(StepPath(run, step) + "/task", body, Json.CreateObjectRequest);
        if (body.TaskId is null)
        {
            request.MarkNotRetryable();
        }
        else
        {
            request.MarkIdempotent();
        }
        return http.SendAsync(request, Json.TaskDto, ct);
    }

    /// <summary><c>GET …/filtered_tasks</c> (service ≥ 2.5.0): pathspecs of tasks with a metadata field matching a POSIX regex.</summary>
    public IAsyncEnumerable<string> FilterTasksAsync(MetaflowRunRef run, string step, string fieldName, string pattern, CancellationToken ct)
    {
        var query = new QueryBuilder().Add("metadata_field_name", fieldName).Add("pattern", pattern);
        return http.StreamArrayAsync(Get(StepPath(run, step) + "/filtered_tasks" + query), Json.String, ct);
    }

    // ---- metadata ----------------------------------------------------------------------------------

    public IAsyncEnumerable<MetadataDto> ListTaskMetadataAsync(MetaflowRunRef run, string step, string task, CancellationToken ct)
        => http.StreamArrayAsync(Get(TaskPath(run, step, task) + "/metadata"), Json.MetadataDto, ct);

    public IAsyncEnumerable<MetadataDto> ListRunMetadataAsync(MetaflowRunRef run, CancellationToken ct)
        => http.StreamArrayAsync(Get(RunPath(run) + "/metadata"), Json.MetadataDto, ct);

    /// <summary>Posts metadata rows. Never retried once sent: rows have no natural key, so a retry would duplicate them.</summary>
    public Task<MetadataCreatedResponse> PostMetadataAsync(MetaflowRunRef run, string step, string task, List<MetadataWriteDto> rows, CancellationToken ct)
        => http.SendAsync(Post(TaskPath(run, step, task) + "/metadata", rows, Json.ListMetadataWriteDto).MarkNotRetryable(), Json.MetadataCreatedResponse, ct);

    // ---- artifacts ---------------------------------------------------------------------------------

    /// <summary>Artifacts of one task: its latest attempt, or <paramref name="attempt"/>.</summary>
    public IAsyncEnumerable<ArtifactDto> ListTaskArtifactsAsync(MetaflowRunRef run, string step, string task, int? attempt, CancellationToken ct)
    {
        var path = TaskPath(run, step, task) + (attempt is { } a ? $"/attempt/{a}/artifacts" : "/artifacts");
        return http.StreamArrayAsync(Get(path), Json.ArtifactDto, ct);
    }

    public IAsyncEnumerable<ArtifactDto> ListStepArtifactsAsync(MetaflowRunRef run, string step, CancellationToken ct)
        => http.StreamArrayAsync(Get(StepPath(run, step) + "/artifacts"), Json.ArtifactDto, ct);

    public IAsyncEnumerable<ArtifactDto> ListRunArtifactsAsync(MetaflowRunRef run, CancellationToken ct)
        => http.StreamArrayAsync(Get(RunPath(run) + "/artifacts"), Json.ArtifactDto, ct);

    public Task<ArtifactDto> GetArtifactAsync(MetaflowRunRef run, string step, string task, string name, int? attempt, CancellationToken ct)
    {
        var path = TaskPath(run, step, task) + "/artifacts/" + UrlPath.Segment(name) + (attempt is { } a ? $"/attempt/{a}" : "");
        return http.SendAsync(Get(path), Json.ArtifactDto, ct);
    }

    /// <summary>Registers artifact records; (attempt, name) is the key, so a retried POST is counted 0 and safe.</summary>
    public Task<ArtifactsCreatedResponse> PostArtifactsAsync(MetaflowRunRef run, string step, string task, List<ArtifactWriteDto> records, CancellationToken ct)
        => http.SendAsync(Post(TaskPath(run, step, task) + "/artifact", records, Json.ListArtifactWriteDto).MarkIdempotent(), Json.ArtifactsCreatedResponse, ct);

    // ---- plumbing ----------------------------------------------------------------------------------

    internal static string P(string literal, params string[] segments) => UrlPath.Combine(literal, segments);

    internal static string RunPath(MetaflowRunRef run) => UrlPath.Combine("flows", run.Flow, "runs", run.Run);

    private static string StepPath(MetaflowRunRef run, string step) => RunPath(run) + "/steps/" + UrlPath.Segment(step);

    private static string TaskPath(MetaflowRunRef run, string step, string task) => StepPath(run, step) + "/tasks/" + UrlPath.Segment(task);

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage Post<T>(string path, T body, JsonTypeInfo<T> type)
        => new(HttpMethod.Post, path) { Content = JsonContent.Create(body, type) };

    private async Task<bool> HeartbeatAsync(string path, CancellationToken ct)
    {
        // The service ignores the body, but the real client sends {} and so do we.
        var request = Post(path, new EmptyBody(), Json.EmptyBody).MarkIdempotent();
        try
        {
            await http.SendAsync(request, ct).ConfigureAwait(false);
            return true;
        }
        catch (MlopsNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Streams a list endpoint element by element. Asks for <c>_limit</c> pages; a service with cursor paging
    /// (after 2.5.1) answers a page and <c>X-Next-Cursor</c>, which is followed; 2.5.1 ignores <c>_limit</c>
    /// and streams the whole array, which is read with constant memory all the same.
    /// </summary>
    private async IAsyncEnumerable<T> StreamPagedAsync<T>(string path, int? limit, JsonTypeInfo<T> type, [EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var query = new QueryBuilder().Add("_limit", limit).Add("_cursor", cursor);
            string? next = null;
            var page = http.StreamArrayAsync(Get(path + query), type,
                headers => next = headers.TryGetValues(NextCursorHeader, out var values) ? values.FirstOrDefault() : null, ct);
            await foreach (var item in page.ConfigureAwait(false))
            {
                yield return item;
            }
            cursor = next;
        }
        while (!string.IsNullOrEmpty(cursor));
    }
}
