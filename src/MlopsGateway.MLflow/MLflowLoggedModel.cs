using System.Text.Json;

namespace MlopsGateway.MLflow;

/// <summary>The lifecycle of an MLflow 3 logged model; the numbers are the proto values the server expects when finalizing.</summary>
public enum MLflowLoggedModelStatus
{
    /// <summary>The server sent no status, or one this client does not know.</summary>
    Unspecified = 0,

    /// <summary>Created; its artifacts may still be uploading. Every new logged model starts here.</summary>
    Pending = 1,

    /// <summary>Finalized: the artifacts are complete and the model can be registered or served.</summary>
    Ready = 2,

    /// <summary>Finalized as failed: uploading the artifacts did not complete.</summary>
    UploadFailed = 3,
}

/// <summary>
/// An MLflow 3 logged model: a model checkpoint tracked as its own entity inside an experiment (id <c>m-</c> + 32 hex),
/// with params, tags, metrics and an artifact location, optionally linked to the run that produced it.
/// </summary>
public sealed record MLflowLoggedModel
{
    /// <summary>The model id (<c>m-</c> followed by 32 hex digits), used in every other logged-model call.</summary>
    public required string Id { get; init; }

    /// <summary>The experiment the model belongs to.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The model's name (the server picks a random one when none was given at creation).</summary>
    public required string Name { get; init; }

    /// <summary>A free-form type label such as <c>agent</c> or <c>classifier</c>, when set.</summary>
    public string? ModelType { get; init; }

    /// <summary>The run that produced the model, when known.</summary>
    public string? SourceRunId { get; init; }

    /// <summary>Where the model is in its lifecycle (pending until finalized).</summary>
    public MLflowLoggedModelStatus Status { get; init; }

    /// <summary>The server's explanation of the status (for example why an upload failed), when it gave one.</summary>
    public string? StatusMessage { get; init; }

    /// <summary>Where its files live, e.g. <c>mlflow-artifacts:/1/models/m-…/artifacts</c>.</summary>
    public string? ArtifactUri { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it last changed (tags, params, status).</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The model's params (string values, as MLflow stores them).</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>The model's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The metrics logged against the model (latest value per key; ±Infinity read back from ±double.MaxValue).</summary>
    public IReadOnlyList<MetricPoint> Metrics { get; init; } = [];

    private NativeJson? _native;

    /// <summary>The model exactly as the server sent it (<c>{info, data}</c>), including fields not mapped here such as <c>registrations</c>.</summary>
    public JsonElement? Native { get => _native?.Value; init => _native = NativeJson.FromElement(value); }

    internal NativeJson? NativeSource { init => _native = value; }
}

/// <summary>Optional settings for <see cref="MLflowTrackingClient.CreateLoggedModelAsync"/>.</summary>
public sealed record MLflowLoggedModelCreateOptions
{
    /// <summary>The name; null lets the server generate one.</summary>
    public string? Name { get; init; }

    /// <summary>A free-form type label such as <c>agent</c> or <c>classifier</c>.</summary>
    public string? ModelType { get; init; }

    /// <summary>The run that produced the model.</summary>
    public string? SourceRunId { get; init; }

    /// <summary>Params recorded with the model.</summary>
    public IReadOnlyDictionary<string, string>? Params { get; init; }

    /// <summary>Tags recorded with the model.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
