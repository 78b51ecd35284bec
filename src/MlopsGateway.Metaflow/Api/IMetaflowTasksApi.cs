using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Metaflow.Api;

/// <summary>
/// Steps and tasks of a run (metaflow-service 2.5.1). Lists under a missing parent answer <c>200 []</c>; a step under a
/// missing run is a 500 whose detail is <c>'run_number'</c>, a task under a missing step a 404 (foreign key). Creating a
/// step or task is never re-sent once it may have reached the service; registration reads an existing one on 409.
/// </summary>
internal interface IMetaflowTasksApi
{
    [Get("/flows/{flow}/runs/{run}/steps")]
    Task<HttpResponseMessage> ListStepsAsync(PathSegment flow, PathSegment run, CancellationToken ct);

    [Get("/flows/{flow}/runs/{run}/steps/{step}")]
    Task<StepDto> GetStepAsync(PathSegment flow, PathSegment run, PathSegment step, CancellationToken ct);

    [Post("/flows/{flow}/runs/{run}/steps/{step}/step")]
    [NotRetryable("a step is created once per run: a re-sent create burns a sequence number and answers 409, which RegisterStep, not the transport, turns into a read")]
    Task<StepDto> CreateStepAsync(PathSegment flow, PathSegment run, PathSegment step, [Body] CreateObjectRequest body, CancellationToken ct);

    [Get("/flows/{flow}/runs/{run}/steps/{step}/tasks")]
    Task<HttpResponseMessage> ListTasksAsync(PathSegment flow, PathSegment run, PathSegment step, CancellationToken ct);

    /// <summary>A task by its global number (<c>37</c>) or its name (<c>sfn-…</c>).</summary>
    [Get("/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}")]
    Task<TaskDto> GetTaskAsync(PathSegment flow, PathSegment run, PathSegment step, PathSegment task, CancellationToken ct);

    /// <summary><c>POST …/steps/{s}/task</c> (singular): the body's <c>task_id</c> names the task, else the service numbers it.</summary>
    [Post("/flows/{flow}/runs/{run}/steps/{step}/task")]
    [NotRetryable("without a task_id in the body the service numbers a second task")]
    Task<TaskDto> CreateTaskAsync(PathSegment flow, PathSegment run, PathSegment step, [Body] CreateObjectRequest body, CancellationToken ct);

    /// <summary>Service ≥ 2.5.0: pathspecs (<c>Flow/run/step/task</c>) of the step's tasks with a metadata field matching a POSIX regex.</summary>
    [Get("/flows/{flow}/runs/{run}/steps/{step}/filtered_tasks")]
    Task<HttpResponseMessage> FilterTasksAsync(PathSegment flow, PathSegment run, PathSegment step,
        [AliasAs("metadata_field_name")] string fieldName, string pattern, CancellationToken ct);

    /// <summary>Sets the task's heartbeat (and its run's) to now; 404 when it updated nothing. The answer is a JSON string, kept as text.</summary>
    [Post("/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/heartbeat")]
    [Idempotent("a heartbeat sets last_heartbeat_ts to now: a re-sent beat sets it again (or, within 10 s, updates nothing)")]
    Task<string> HeartbeatTaskAsync(PathSegment flow, PathSegment run, PathSegment step, PathSegment task, [Body] EmptyBody body, CancellationToken ct);
}
