using System.Text.Json;

namespace MlopsGateway.Metaflow;

/// <summary>A step of a Metaflow run (<c>start</c>, <c>train</c>, <c>end</c>, and the <c>_parameters</c> pseudo-step).</summary>
public sealed record MetaflowStep
{
    /// <summary>The run's gateway id, <c>Flow/run</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>The step name.</summary>
    public required string Name { get; init; }

    /// <summary>Who created the step.</summary>
    public string? UserName { get; init; }

    /// <summary>When the step was registered (UTC); null where the service sent no time.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>A task of a Metaflow step: one execution of the step (many for a foreach), with retries as attempts.</summary>
public sealed record MetaflowTask
{
    /// <summary>The run's gateway id, <c>Flow/run</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>The step the task belongs to.</summary>
    public required string Step { get; init; }

    /// <summary>The task id: a global server-assigned number, or a scheduler's task name.</summary>
    public required string TaskId { get; init; }

    /// <summary>The Metaflow pathspec <c>Flow/run/step/task</c>.</summary>
    public string Pathspec => $"{RunId}/{Step}/{TaskId}";

    /// <summary>Who created the task.</summary>
    public string? UserName { get; init; }

    /// <summary>When the task was registered (UTC); null where the service sent no time.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The task's last heartbeat (UTC, second precision), when it beat.</summary>
    public DateTimeOffset? LastHeartbeat { get; init; }
}

/// <summary>One metadata row of a task (attempt bookkeeping, system info, or a caller's own field).</summary>
public sealed record MetaflowMetadataEntry
{
    /// <summary>The service's serial row id (global; orders rows written within one millisecond).</summary>
    public long Id { get; init; }

    /// <summary>The step of the task the row belongs to.</summary>
    public required string Step { get; init; }

    /// <summary>The task id.</summary>
    public required string TaskId { get; init; }

    /// <summary>The field name (for example <c>attempt_ok</c>, <c>ds-root</c>).</summary>
    public required string FieldName { get; init; }

    /// <summary>The value, always text on the wire.</summary>
    public string Value { get; init; } = "";

    /// <summary>The row type; null where the service stored its blank placeholder <c>" "</c>.</summary>
    public string? Type { get; init; }

    /// <summary>The attempt the row belongs to (its <c>attempt_id:N</c> tag), when tagged.</summary>
    public int? Attempt { get; init; }

    /// <summary>Who wrote the row.</summary>
    public string? UserName { get; init; }

    /// <summary>When the service stored the row (UTC); null where it sent no time.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The row's tags as stored (for example <c>attempt_id:0</c>).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>An artifact record: where a task's pickled value lives in the datastore. Values themselves are not read.</summary>
public sealed record MetaflowArtifact
{
    /// <summary>The step of the producing task.</summary>
    public required string Step { get; init; }

    /// <summary>The producing task.</summary>
    public required string TaskId { get; init; }

    /// <summary>The artifact (variable) name.</summary>
    public required string Name { get; init; }

    /// <summary>The attempt that produced it (0-based).</summary>
    public int Attempt { get; init; }

    /// <summary>The content hash the datastore addresses it by.</summary>
    public string? Sha { get; init; }

    /// <summary>The datastore location (a local path or an <c>s3://</c> URI, as the producer registered it).</summary>
    public string? Location { get; init; }

    /// <summary>The datastore type (<c>local</c>, <c>s3</c>, <c>azure</c>, <c>gs</c>).</summary>
    public string? DatastoreType { get; init; }

    /// <summary>The record type (<c>metaflow.artifact</c>).</summary>
    public string? Type { get; init; }

    /// <summary>The serialization (<c>pickle-v4</c>, <c>gzip+pickle-v2</c>).</summary>
    public string? ContentType { get; init; }

    /// <summary>When the record was registered (UTC); null where the service sent no time.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The wire record, as an escape hatch.</summary>
    public JsonElement? Native { get; init; }
}

/// <summary>A metadata row to write (see <see cref="MetaflowMetadataClient.AddMetadataAsync"/>).</summary>
/// <param name="FieldName">The field name, at most 255 characters.</param>
/// <param name="Value">The value (text of any length).</param>
/// <param name="Type">The row type, at most 255 characters; the field name when null.</param>
/// <param name="Attempt">The attempt the row belongs to; written as the tag <c>attempt_id:N</c>.</param>
public sealed record MetaflowMetadataWrite(string FieldName, string Value, string? Type = null, int? Attempt = null);

/// <summary>An artifact record to register (see <see cref="MetaflowMetadataClient.AddArtifactsAsync"/>).</summary>
public sealed record MetaflowArtifactWrite
{
    /// <summary>The artifact name, at most 255 characters.</summary>
    public required string Name { get; init; }

    /// <summary>The datastore location, at most 255 characters.</summary>
    public required string Location { get; init; }

    /// <summary>The content hash.</summary>
    public required string Sha { get; init; }

    /// <summary>The datastore type, at most 255 characters. Default <c>s3</c>.</summary>
    public string DatastoreType { get; init; } = "s3";

    /// <summary>The record type, at most 255 characters. Default <c>metaflow.artifact</c>.</summary>
    public string Type { get; init; } = "metaflow.artifact";

    /// <summary>The serialization. Default <c>pickle-v4</c>.</summary>
    public string ContentType { get; init; } = "pickle-v4";

    /// <summary>The producing attempt (0-based).</summary>
    public int Attempt { get; init; }
}
