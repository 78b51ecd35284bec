using System.Globalization;
using System.Text.Json;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>KFP wire objects to the backend-neutral model (DESIGN.md §2), with the originals kept in <c>Native</c>.</summary>
internal static class KfpMapping
{
    /// <summary>The raw value a missing <c>state</c> stands for (zero values are omitted on the wire).</summary>
    public const string UnspecifiedState = "RUNTIME_STATE_UNSPECIFIED";

    /// <summary>KFP <c>V2beta1RuntimeState</c> to the normalized status; CANCELING is still running.</summary>
    public static RunStatus ToStatus(string? state) => state switch
    {
        "PENDING" => RunStatus.Queued,
        "RUNNING" or "CANCELING" => RunStatus.Running,
        "SUCCEEDED" => RunStatus.Succeeded,
        "SKIPPED" => RunStatus.Skipped,
        "FAILED" => RunStatus.Failed,
        "CANCELED" => RunStatus.Canceled,
        "PAUSED" => RunStatus.Paused,
        _ => RunStatus.Unknown,
    };

    /// <summary>The KFP states a normalized status stands for (for the <c>state</c> filter).</summary>
    public static IEnumerable<string> ToStates(RunStatus status) => status switch
    {
        RunStatus.Queued => ["PENDING"],
        RunStatus.Running => ["RUNNING", "CANCELING"],
        RunStatus.Succeeded => ["SUCCEEDED"],
        RunStatus.Skipped => ["SKIPPED"],
        RunStatus.Failed => ["FAILED"],
        RunStatus.Canceled => ["CANCELED"],
        RunStatus.Paused => ["PAUSED"],
        _ => [UnspecifiedState],
    };

    /// <summary>KFP writes the Unix epoch for "not yet" timestamps (e.g. <c>finished_at</c> of a running run).</summary>
    public static DateTimeOffset? Time(string? value)
        => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v) && v > DateTimeOffset.UnixEpoch ? v : null;

    /// <summary>
    /// A timestamp as this client sends it (RFC 3339, the fraction trimmed). Timestamps are kept as the server's text in
    /// the wire types, so <c>Native</c> shows them as sent (KFP writes <c>Z</c>), and parsed by <see cref="Time"/> when mapped.
    /// </summary>
    public static string? Timestamp(DateTimeOffset? value) => value?.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    public static Run ToRun(KfpRun run, string backend)
    {
        var status = ToStatus(run.State);
        return new Run
        {
            Backend = backend,
            Id = run.RunId ?? "",
            Name = run.DisplayName,
            Status = status,
            RawStatus = run.State ?? UnspecifiedState,
            StartTime = Time(run.CreatedAt),
            EndTime = status.IsTerminal() ? Time(run.FinishedAt) : null,
            ExperimentId = NullIfEmpty(run.ExperimentId),
            PipelineId = NullIfEmpty(run.PipelineVersionReference?.PipelineId),
            PipelineVersionId = NullIfEmpty(run.PipelineVersionReference?.PipelineVersionId) ?? NullIfEmpty(run.PipelineVersionId),
            Params = ParamFormatter.FormatAll(run.RuntimeConfig?.Parameters),
            ArtifactLocation = NullIfEmpty(run.RuntimeConfig?.PipelineRoot),
            Native = JsonSerializer.SerializeToElement(run, KfpJsonContext.Default.KfpRun),
        };
    }

    public static TaskRun ToTaskRun(KfpTaskDetail task, string runId, string backend) => new()
    {
        Backend = backend,
        RunId = runId,
        Id = task.TaskId ?? "",
        Name = task.DisplayName ?? task.TaskId ?? "",
        Status = ToStatus(task.State),
        RawStatus = task.State ?? UnspecifiedState,
        Attempt = 1 + (task.ExecutorDetail?.FailedMainJobs?.Count ?? 0),
        StartTime = Time(task.StartTime) ?? Time(task.CreateTime),
        EndTime = Time(task.EndTime),
        Native = JsonSerializer.SerializeToElement(task, KfpJsonContext.Default.KfpTaskDetail),
    };

    public static Pipeline ToPipeline(KfpPipeline pipeline, string backend) => new()
    {
        Backend = backend,
        Id = pipeline.PipelineId ?? "",
        Name = NullIfEmpty(pipeline.Name) ?? pipeline.DisplayName ?? pipeline.PipelineId ?? "",
        Description = NullIfEmpty(pipeline.Description),
        Tags = pipeline.Tags ?? new Dictionary<string, string>(),
        CreatedAt = Time(pipeline.CreatedAt),
        Native = JsonSerializer.SerializeToElement(pipeline, KfpJsonContext.Default.KfpPipeline),
    };

    public static PipelineVersion ToPipelineVersion(KfpPipelineVersion version, string backend) => new()
    {
        Backend = backend,
        PipelineId = version.PipelineId ?? "",
        Id = version.PipelineVersionId ?? "",
        Name = NullIfEmpty(version.Name) ?? version.DisplayName,
        Description = NullIfEmpty(version.Description),
        CreatedAt = Time(version.CreatedAt),
        Native = JsonSerializer.SerializeToElement(version, KfpJsonContext.Default.KfpPipelineVersion),
    };

    public static Experiment ToExperiment(KfpExperiment experiment, string backend) => new()
    {
        Backend = backend,
        Id = experiment.ExperimentId ?? "",
        Name = experiment.DisplayName ?? "",
        State = experiment.StorageState == "ARCHIVED" ? LifecycleState.Deleted : LifecycleState.Active,
        CreatedAt = Time(experiment.CreatedAt),
        Native = JsonSerializer.SerializeToElement(experiment, KfpJsonContext.Default.KfpExperiment),
    };

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>An int64 sent as a JSON string; absent or unparsable is null.</summary>
    public static long? Int64(string? value)
        => long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>An int64 to send as a JSON string.</summary>
    public static string Int64(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
