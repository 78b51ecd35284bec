using System.Text.Json;
using MlopsGateway.MLflow.Api;

namespace MlopsGateway.MLflow;

/// <summary>
/// MLflow wire types ↔ the backend-neutral model (DESIGN.md §2): statuses, lifecycle stages, epoch
/// milliseconds, ±double.MaxValue read back as ±Infinity, missing lists as empty.
/// </summary>
internal static class MLflowMapper
{
    public const string RunNameTag = "mlflow.runName";
    public const string NoteTag = "mlflow.note.content";

    public static RunStatus ToStatus(string? status) => status switch
    {
        "RUNNING" => RunStatus.Running,
        "SCHEDULED" => RunStatus.Queued,
        "FINISHED" => RunStatus.Succeeded,
        "FAILED" => RunStatus.Failed,
        "KILLED" => RunStatus.Canceled,
        _ => RunStatus.Unknown,
    };

    /// <summary>The MLflow status name for a normalized status, or null when MLflow has none (Unknown, Paused, Skipped).</summary>
    public static string? FromStatus(RunStatus status) => status switch
    {
        RunStatus.Running => "RUNNING",
        RunStatus.Queued => "SCHEDULED",
        RunStatus.Succeeded => "FINISHED",
        RunStatus.Failed => "FAILED",
        RunStatus.Canceled => "KILLED",
        _ => null,
    };

    /// <summary>The five MLflow run statuses, in proto order.</summary>
    public static readonly string[] AllStatuses = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];

    /// <summary>The SQL store keeps ±Infinity as ±double.MaxValue; read those back as infinities.</summary>
    public static double ToMetricValue(double value) => value switch
    {
        double.MaxValue => double.PositiveInfinity,
        double.MinValue => double.NegativeInfinity,
        _ => value,
    };

    public static LifecycleState ToLifecycle(string? stage)
        => string.Equals(stage, "deleted", StringComparison.OrdinalIgnoreCase) ? LifecycleState.Deleted : LifecycleState.Active;

    public static IReadOnlyDictionary<string, string> ToMap(List<KeyValueDto>? pairs)
        => SmallMap.From<KeyValueDto, string>(pairs, static p => p.Key is null ? null : new KeyValuePair<string, string>(p.Key, p.Value ?? string.Empty));

    public static List<KeyValueDto>? ToPairs(IEnumerable<KeyValuePair<string, string>>? pairs)
        => pairs?.Select(p => new KeyValueDto { Key = p.Key, Value = p.Value }).ToList() is { Count: > 0 } list ? list : null;

    public static Experiment ToExperiment(string backend, ExperimentDto dto) => new()
    {
        Backend = backend,
        Id = dto.ExperimentId ?? string.Empty,
        Name = dto.Name ?? string.Empty,
        State = ToLifecycle(dto.LifecycleStage),
        ArtifactLocation = dto.ArtifactLocation,
        Tags = ToMap(dto.Tags),
        CreatedAt = EpochTime.FromMilliseconds(dto.CreationTime),
        UpdatedAt = EpochTime.FromMilliseconds(dto.LastUpdateTime),
        NativeSource = NativeJson.FromWire(dto, MLflowJsonContext.Default.ExperimentDto),
    };

    public static Run ToRun(string backend, RunDto dto)
    {
        var info = dto.Info ?? new RunInfoDto();
        return new Run
        {
            Backend = backend,
            Id = info.RunId ?? info.RunUuid ?? string.Empty,
            Name = info.RunName,
            Status = ToStatus(info.Status),
            RawStatus = info.Status,
            StartTime = EpochTime.FromMilliseconds(info.StartTime),
            EndTime = EpochTime.FromMilliseconds(info.EndTime),
            ExperimentId = info.ExperimentId,
            Params = ToMap(dto.Data?.Params),
            Metrics = SmallMap.From<MetricDto, double>(dto.Data?.Metrics, static m => m.Key is null ? null : new KeyValuePair<string, double>(m.Key, ToMetricValue(m.Value))),
            Tags = ToMap(dto.Data?.Tags),
            ArtifactLocation = info.ArtifactUri,
            NativeSource = NativeJson.FromWire(dto, MLflowJsonContext.Default.RunDto),
        };
    }

    public static MetricPoint ToMetricPoint(MetricDto dto)
        => new(dto.Key ?? string.Empty, ToMetricValue(dto.Value), DateTimeOffset.FromUnixTimeMilliseconds(dto.Timestamp), dto.Step);

    public static LoggedMetricDto FromMetricPoint(MetricPoint point)
        => new() { Key = point.Key, Value = point.Value, Timestamp = EpochTime.ToMilliseconds(point.Timestamp), Step = point.Step };

    public static RegisteredModel ToModel(string backend, RegisteredModelDto dto)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var alias in dto.Aliases ?? [])
        {
            if (alias.Alias is not null)
            {
                aliases[alias.Alias] = alias.Version ?? string.Empty;
            }
        }
        return new RegisteredModel
        {
            Backend = backend,
            Name = dto.Name ?? string.Empty,
            Description = string.IsNullOrEmpty(dto.Description) ? null : dto.Description,
            Tags = ToMap(dto.Tags),
            Aliases = aliases,
            CreatedAt = EpochTime.FromMilliseconds(dto.CreationTimestamp),
            UpdatedAt = EpochTime.FromMilliseconds(dto.LastUpdatedTimestamp),
            NativeSource = NativeJson.FromWire(dto, MLflowJsonContext.Default.RegisteredModelDto),
        };
    }

    public static ModelVersion ToVersion(string backend, ModelVersionDto dto) => new()
    {
        Backend = backend,
        ModelName = dto.Name ?? string.Empty,
        Version = dto.Version ?? string.Empty,
        Source = dto.Source,
        RunId = string.IsNullOrEmpty(dto.RunId) ? null : dto.RunId,
        Description = string.IsNullOrEmpty(dto.Description) ? null : dto.Description,
        Stage = dto.CurrentStage,
        Status = dto.Status,
        Aliases = dto.Aliases ?? [],
        Tags = ToMap(dto.Tags),
        CreatedAt = EpochTime.FromMilliseconds(dto.CreationTimestamp),
        UpdatedAt = EpochTime.FromMilliseconds(dto.LastUpdatedTimestamp),
        NativeSource = NativeJson.FromWire(dto, MLflowJsonContext.Default.ModelVersionDto),
    };

    public static MLflowLoggedModel ToLoggedModel(LoggedModelDto dto)
    {
        var info = dto.Info ?? new LoggedModelInfoDto();
        return new MLflowLoggedModel
        {
            Id = info.ModelId ?? string.Empty,
            ExperimentId = info.ExperimentId ?? string.Empty,
            Name = info.Name ?? string.Empty,
            ModelType = string.IsNullOrEmpty(info.ModelType) ? null : info.ModelType,
            SourceRunId = string.IsNullOrEmpty(info.SourceRunId) ? null : info.SourceRunId,
            Status = ToLoggedModelStatus(info.Status),
            StatusMessage = string.IsNullOrEmpty(info.StatusMessage) ? null : info.StatusMessage,
            ArtifactUri = info.ArtifactUri,
            CreatedAt = EpochTime.FromMilliseconds(info.CreationTimestampMs),
            UpdatedAt = EpochTime.FromMilliseconds(info.LastUpdatedTimestampMs),
            Tags = ToMap(info.Tags),
            Params = ToMap(dto.Data?.Params),
            Metrics = (dto.Data?.Metrics ?? []).Select(ToMetricPoint).ToList(),
            NativeSource = NativeJson.FromWire(dto, MLflowJsonContext.Default.LoggedModelDto),
        };
    }

    /// <summary>The proto enum name the server takes in a finalize request (recorded: names are accepted, bare <c>READY</c> is not).</summary>
    public static string LoggedModelStatusName(MLflowLoggedModelStatus status) => status switch
    {
        MLflowLoggedModelStatus.Pending => "LOGGED_MODEL_PENDING",
        MLflowLoggedModelStatus.Ready => "LOGGED_MODEL_READY",
        MLflowLoggedModelStatus.UploadFailed => "LOGGED_MODEL_UPLOAD_FAILED",
        _ => "LOGGED_MODEL_STATUS_UNSPECIFIED",
    };

    /// <summary>The proto enum arrives as its name (<c>LOGGED_MODEL_READY</c>) or, defensively, its number.</summary>
    private static MLflowLoggedModelStatus ToLoggedModelStatus(JsonElement? status) => status switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var v) && Enum.IsDefined((MLflowLoggedModelStatus)v) => (MLflowLoggedModelStatus)v,
        { ValueKind: JsonValueKind.String } s => s.GetString() switch
        {
            "LOGGED_MODEL_PENDING" => MLflowLoggedModelStatus.Pending,
            "LOGGED_MODEL_READY" => MLflowLoggedModelStatus.Ready,
            "LOGGED_MODEL_UPLOAD_FAILED" => MLflowLoggedModelStatus.UploadFailed,
            _ => MLflowLoggedModelStatus.Unspecified,
        },
        _ => MLflowLoggedModelStatus.Unspecified,
    };

    /// <summary>A tracking-side listing entry (already run-relative).</summary>
    public static ArtifactInfo ToArtifact(FileInfoDto dto, string? parent = null)
    {
        var path = dto.Path ?? string.Empty;
        if (!string.IsNullOrEmpty(parent))
        {
            path = parent.TrimEnd('/') + "/" + path;
        }
        var isDir = dto.IsDir == true;
        // A zero-byte file is listed without file_size: default to 0 for files, null for directories.
        return new ArtifactInfo(path, isDir, isDir ? null : dto.FileSize ?? 0);
    }
}
