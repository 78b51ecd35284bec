using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsGateway.Metaflow.Api;

/// <summary>
/// Fields every Metaflow object row shares; <see cref="Extra"/> catches anything a newer service adds. A row is also
/// what <c>Native</c> is written from, so it writes back exactly what the service sent (null tag lists stay null,
/// ids keep their JSON kind); conveniences for the mapping are not serialized.
/// </summary>
internal abstract class MetaflowObjectDto
{
    [JsonPropertyName("flow_id")]
    public string FlowId { get; set; } = "";

    [JsonPropertyName("user_name")]
    public string? UserName { get; set; }

    /// <summary>Creation time, epoch milliseconds (server clock).</summary>
    [JsonPropertyName("ts_epoch")]
    public long TsEpoch { get; set; }

    /// <summary>The user tags as sent: <c>null</c> for a row created without any (kept so <c>Native</c> is the row as sent).</summary>
    [JsonPropertyName("tags")]
    public List<string>? TagList { get; set; }

    /// <summary>The system tags as sent, <c>null</c> included.</summary>
    [JsonPropertyName("system_tags")]
    public List<string>? SystemTagList { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The user tags, none for a <c>null</c> list.</summary>
    [JsonIgnore]
    public List<string> Tags => TagList ?? [];

    /// <summary>The system tags, none for a <c>null</c> list.</summary>
    [JsonIgnore]
    public List<string> SystemTags => SystemTagList ?? [];
}

internal sealed class FlowDto : MetaflowObjectDto;

/// <summary>A row that belongs to a run (runs themselves, steps, tasks, metadata, artifacts).</summary>
internal abstract class RunScopedDto : MetaflowObjectDto
{
    [JsonPropertyName("run_number")]
    public MetaflowId RunNumber { get; set; }
}

/// <summary>A row that belongs to a step.</summary>
internal abstract class StepScopedDto : RunScopedDto
{
    [JsonPropertyName("step_name")]
    public string StepName { get; set; } = "";
}

/// <summary>A row that belongs to a task.</summary>
internal abstract class TaskScopedDto : StepScopedDto
{
    [JsonPropertyName("task_id")]
    public MetaflowId TaskId { get; set; }
}

internal sealed class RunDto : RunScopedDto
{
    /// <summary>Last heartbeat, epoch <b>seconds</b>; null when the run never beat.</summary>
    [JsonPropertyName("last_heartbeat_ts")]
    public long? LastHeartbeatTs { get; set; }
}

internal sealed class StepDto : StepScopedDto;

internal sealed class TaskDto : TaskScopedDto
{
    /// <summary>Last heartbeat, epoch <b>seconds</b>.</summary>
    [JsonPropertyName("last_heartbeat_ts")]
    public long? LastHeartbeatTs { get; set; }
}

internal sealed class MetadataDto : TaskScopedDto
{
    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("field_name")]
    public string FieldName { get; set; } = "";

    [JsonPropertyName("value")]
    public string? Value { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }
}

internal sealed class ArtifactDto : TaskScopedDto
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("location")]
    public string? Location { get; set; }

    [JsonPropertyName("ds_type")]
    public string? DsType { get; set; }

    [JsonPropertyName("sha")]
    public string? Sha { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("content_type")]
    public string? ContentType { get; set; }

    [JsonPropertyName("attempt_id")]
    public int AttemptId { get; set; }
}

/// <summary>Body of <c>PATCH …/tag/mutate</c>.</summary>
internal sealed class TagMutationRequest
{
    [JsonPropertyName("tags_to_add")]
    public List<string> TagsToAdd { get; set; } = [];

    [JsonPropertyName("tags_to_remove")]
    public List<string> TagsToRemove { get; set; } = [];
}

/// <summary>Reply of <c>PATCH …/tag/mutate</c>: the run's user tags after the change (an unordered set).</summary>
internal sealed class TagMutationResponse
{
    [JsonPropertyName("tags")]
    [JsonConverter(typeof(NullAsEmptyListConverter))]
    public List<string> Tags { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Reply of the metadata POST: how many rows the service actually inserted.</summary>
internal sealed class MetadataCreatedResponse
{
    [JsonPropertyName("metadata_created")]
    public int MetadataCreated { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Reply of the artifact POST: how many records the service actually inserted.</summary>
internal sealed class ArtifactsCreatedResponse
{
    [JsonPropertyName("artifacts_created")]
    public int ArtifactsCreated { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Body of the flow, run, step and task create POSTs (unknown fields are ignored by the service).</summary>
internal sealed class CreateObjectRequest
{
    [JsonPropertyName("user_name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UserName { get; set; }

    [JsonPropertyName("tags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Tags { get; set; }

    [JsonPropertyName("system_tags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? SystemTags { get; set; }

    /// <summary>A caller-chosen, non-numeric run id (run creation only).</summary>
    [JsonPropertyName("run_number")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RunNumber { get; set; }

    /// <summary>A caller-chosen, non-numeric task name (task creation only).</summary>
    [JsonPropertyName("task_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TaskId { get; set; }
}

/// <summary>One row of a metadata POST.</summary>
internal sealed class MetadataWriteDto
{
    [JsonPropertyName("field_name")]
    public string FieldName { get; set; } = "";

    [JsonPropertyName("value")]
    public string Value { get; set; } = "";

    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("user_name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UserName { get; set; }

    [JsonPropertyName("tags")]
    public List<string> Tags { get; set; } = [];
}

/// <summary>One record of an artifact POST.</summary>
internal sealed class ArtifactWriteDto
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("location")]
    public string Location { get; set; } = "";

    [JsonPropertyName("ds_type")]
    public string DsType { get; set; } = "";

    [JsonPropertyName("sha")]
    public string Sha { get; set; } = "";

    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("content_type")]
    public string ContentType { get; set; } = "";

    [JsonPropertyName("attempt_id")]
    public int AttemptId { get; set; }

    [JsonPropertyName("user_name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UserName { get; set; }

    [JsonPropertyName("tags")]
    public List<string> Tags { get; set; } = [];

    [JsonPropertyName("system_tags")]
    public List<string> SystemTags { get; set; } = [];
}

/// <summary>An empty JSON object: the service answers an empty POST body with a 500, so every POST sends at least this.</summary>
internal sealed class EmptyBody
{
    public static EmptyBody Instance { get; } = new();
}
