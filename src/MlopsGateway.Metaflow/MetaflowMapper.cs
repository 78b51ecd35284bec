using System.Text.Json;
using MlopsGateway.Metaflow.Api;

namespace MlopsGateway.Metaflow;

/// <summary>Maps wire rows onto the neutral model (DESIGN.md §2): flows are pipelines (and experiments), runs are runs.</summary>
internal static class MetaflowMapper
{
    private static readonly MetaflowJsonContext Json = MetaflowJsonContext.Default;

    public static readonly IReadOnlyDictionary<string, string> NoStrings = new Dictionary<string, string>();

    /// <summary>Artifacts of the <c>_parameters</c> task that are Metaflow internals, not parameters.</summary>
    public static bool IsParameterName(string artifactName) => artifactName.Length > 0 && artifactName[0] != '_' && artifactName != "name";

    public static Pipeline ToPipeline(FlowDto flow, string backend) => new()
    {
        Backend = backend,
        Id = flow.FlowId,
        Name = flow.FlowId,
        CreatedAt = EpochTime.FromMilliseconds(flow.TsEpoch),
        Owners = flow.UserName is { Length: > 0 } user ? [user] : [],
        Tags = MetaflowTags.ToMap(flow.Tags),
        Native = JsonSerializer.SerializeToElement(flow, Json.FlowDto),
    };

    public static Experiment ToExperiment(FlowDto flow, string backend) => new()
    {
        Backend = backend,
        Id = flow.FlowId,
        Name = flow.FlowId,
        CreatedAt = EpochTime.FromMilliseconds(flow.TsEpoch),
        Tags = MetaflowTags.ToMap(flow.Tags),
        Native = JsonSerializer.SerializeToElement(flow, Json.FlowDto),
    };

    /// <summary>A run; <paramref name="status"/> null means it was not resolved (a plain listing): Unknown.</summary>
    public static Run ToRun(RunDto run, string backend, DerivedStatus? status, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var start = EpochTime.FromMilliseconds(run.TsEpoch);
        return new Run
        {
            Backend = backend,
            Id = new MetaflowRunRef(run.FlowId, run.RunNumber.Value).ToString(),
            Name = MetaflowTags.NameOf(run.SystemTags) ?? run.RunNumber.Value,
            Status = status?.Status ?? RunStatus.Unknown,
            RawStatus = status?.Raw,
            StartTime = start,
            EndTime = status?.FinishedAt,
            ExperimentId = run.FlowId,
            PipelineId = run.FlowId,
            Params = parameters ?? MetaflowMapper.NoStrings,
            Tags = MetaflowTags.ToMap(run.Tags),
            SystemTags = run.SystemTags,
            Native = JsonSerializer.SerializeToElement(run, Json.RunDto),
        };
    }

    public static TaskRun ToTaskRun(TaskDto task, string backend, TaskAttemptSummary attempt, DateTimeOffset now)
    {
        var status = MetaflowStatus.DeriveTask(attempt, task.LastHeartbeatTs, now);
        return new TaskRun
        {
            Backend = backend,
            RunId = new MetaflowRunRef(task.FlowId, task.RunNumber.Value).ToString(),
            Id = $"{task.StepName}/{task.TaskId.Value}",
            Name = task.StepName,
            Status = status.Status,
            RawStatus = status.Raw,
            Attempt = attempt.Attempt is { } a ? a + 1 : 0,
            StartTime = attempt.StartedAt ?? EpochTime.FromMilliseconds(task.TsEpoch),
            EndTime = status.Status.IsTerminal() || status.Status == RunStatus.Unknown ? status.FinishedAt : null,
            Native = JsonSerializer.SerializeToElement(task, Json.TaskDto),
        };
    }

    public static MetaflowStep ToStep(StepDto step) => new()
    {
        RunId = new MetaflowRunRef(step.FlowId, step.RunNumber.Value).ToString(),
        Name = step.StepName,
        UserName = step.UserName,
        CreatedAt = EpochTime.FromMilliseconds(step.TsEpoch),
    };

    public static MetaflowTask ToTask(TaskDto task) => new()
    {
        RunId = new MetaflowRunRef(task.FlowId, task.RunNumber.Value).ToString(),
        Step = task.StepName,
        TaskId = task.TaskId.Value,
        UserName = task.UserName,
        CreatedAt = EpochTime.FromMilliseconds(task.TsEpoch),
        LastHeartbeat = EpochTime.FromSeconds(task.LastHeartbeatTs),
    };

    public static MetaflowMetadataEntry ToMetadata(MetadataDto row) => new()
    {
        Id = row.Id,
        Step = row.StepName,
        TaskId = row.TaskId.Value,
        FieldName = row.FieldName,
        Value = row.Value ?? "",
        // Fields a writer left out are stored as a single space.
        Type = string.IsNullOrWhiteSpace(row.Type) ? null : row.Type,
        Attempt = MetaflowStatus.AttemptOf(row),
        UserName = row.UserName,
        CreatedAt = EpochTime.FromMilliseconds(row.TsEpoch),
        Tags = row.Tags,
    };

    public static MetaflowArtifact ToArtifact(ArtifactDto artifact) => new()
    {
        Step = artifact.StepName,
        TaskId = artifact.TaskId.Value,
        Name = artifact.Name,
        Attempt = artifact.AttemptId,
        Sha = Blank(artifact.Sha),
        Location = Blank(artifact.Location),
        DatastoreType = Blank(artifact.DsType),
        Type = Blank(artifact.Type),
        ContentType = Blank(artifact.ContentType),
        CreatedAt = EpochTime.FromMilliseconds(artifact.TsEpoch),
        Native = JsonSerializer.SerializeToElement(artifact, Json.ArtifactDto),
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
