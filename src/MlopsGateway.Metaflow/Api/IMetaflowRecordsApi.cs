using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Metaflow.Api;

/// <summary>
/// Metadata rows and artifact records of tasks (metaflow-service 2.5.1). Lists under a missing task answer <c>200 []</c>;
/// writes answer 200 with the count actually stored (rows over 255 characters, or an existing attempt/name pair, are
/// skipped silently), and 400 <c>need to register run_id and task_id first</c> for a missing task. Neither write is
/// re-sent once it may have reached the service: the count the caller checks would be wrong after a second request.
/// </summary>
internal interface IMetaflowRecordsApi
{
    /// <summary>Metadata rows of one task, every attempt.</summary>
    [Get("/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/metadata")]
    Task<HttpResponseMessage> ListTaskMetadataAsync(PathSegment flow, PathSegment run, PathSegment step, PathSegment task, CancellationToken ct);

    /// <summary>Metadata rows of every task of a run.</summary>
    [Get("/flows/{flow}/runs/{run}/metadata")]
    Task<HttpResponseMessage> ListRunMetadataAsync(PathSegment flow, PathSegment run, CancellationToken ct);

    [Post("/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/metadata")]
    [NotRetryable("metadata rows have no natural key (the service adds a serial id): a second request would store every row twice")]
    Task<MetadataCreatedResponse> PostMetadataAsync(PathSegment flow, PathSegment run, PathSegment step, PathSegment task, [Body] List<MetadataWriteDto> rows, CancellationToken ct);

    /// <summary>Artifact records of a task's latest attempt.</summary>
    [Get("/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/artifacts")]
    Task<HttpResponseMessage> ListTaskArtifactsAsync(PathSegment flow, PathSegment run, PathSegment step, PathSegment task, CancellationToken ct);

    [Get("/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/attempt/{attempt}/artifacts")]
    Task<HttpResponseMessage> ListTaskAttemptArtifactsAsync(PathSegment flow, PathSegment run, PathSegment step, PathSegment task, int attempt, CancellationToken ct);

    /// <summary>Artifact records of the latest attempt of every task of a step.</summary>
    [Get("/flows/{flow}/runs/{run}/steps/{step}/artifacts")]
    Task<HttpResponseMessage> ListStepArtifactsAsync(PathSegment flow, PathSegment run, PathSegment step, CancellationToken ct);

    [Get("/flows/{flow}/runs/{run}/artifacts")]
    Task<HttpResponseMessage> ListRunArtifactsAsync(PathSegment flow, PathSegment run, CancellationToken ct);

    /// <summary>One artifact record of the task's latest attempt (404 when only an older attempt has it).</summary>
    [Get("/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/artifacts/{name}")]
    Task<ArtifactDto> GetArtifactAsync(PathSegment flow, PathSegment run, PathSegment step, PathSegment task, PathSegment name, CancellationToken ct);

    [Get("/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/artifacts/{name}/attempt/{attempt}")]
    Task<ArtifactDto> GetAttemptArtifactAsync(PathSegment flow, PathSegment run, PathSegment step, PathSegment task, PathSegment name, int attempt, CancellationToken ct);

    /// <summary><c>POST …/artifact</c> (singular); (attempt, name) is the key.</summary>
    [Post("/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/artifact")]
    [NotRetryable("(attempt, name) is the key: a re-sent request for records already stored stores none and answers artifacts_created 0, which AddArtifacts must report as dropped")]
    Task<ArtifactsCreatedResponse> PostArtifactsAsync(PathSegment flow, PathSegment run, PathSegment step, PathSegment task, [Body] List<ArtifactWriteDto> records, CancellationToken ct);
}
