using System.Globalization;
using MlopsGateway.Metaflow.Api;

namespace MlopsGateway.Metaflow;

/// <summary>A derived run or task state: the normalized status, the Metaflow UI's own word for it, and when it finished.</summary>
/// <param name="Status">The normalized status (Running, Succeeded or Failed for runs).</param>
/// <param name="Raw">The Metaflow UI backend's spelling: <c>running</c>, <c>completed</c>, <c>failed</c> (tasks also <c>pending</c>, <c>unknown</c>).</param>
/// <param name="FinishedAt">When it finished, when it has.</param>
internal sealed record DerivedStatus(RunStatus Status, string Raw, DateTimeOffset? FinishedAt);

/// <summary>
/// Derives run and task status exactly as Metaflow's UI backend does (nothing in the metadata service
/// stores a status): the newest <c>attempt_ok</c> metadata row of the <c>end</c> step decides, unless a
/// newer <c>attempt</c> of <c>end</c> started after a failed one (a retry: still running); without an end
/// result the run is running while its heartbeat (epoch seconds) is at most 360 s old, else failed.
/// </summary>
internal static class MetaflowStatus
{
    /// <summary>The UI backend's <c>RUN_INACTIVE_CUTOFF_TIME</c> default: a run whose heartbeat is older is failed.</summary>
    public static readonly TimeSpan RunInactiveCutoff = TimeSpan.FromSeconds(360);

    /// <summary>The UI backend's task <c>HEARTBEAT_THRESHOLD</c> default (6 × the 10 s beat).</summary>
    public static readonly TimeSpan TaskHeartbeatThreshold = TimeSpan.FromSeconds(60);

    /// <summary>A task that started an attempt but never beat is failed after a day.</summary>
    public static readonly TimeSpan TaskNoHeartbeatCutoff = TimeSpan.FromDays(1);

    public const string EndStep = "end";
    public const string AttemptOkField = "attempt_ok";
    public const string AttemptField = "attempt";
    public const string AttemptDoneField = "attempt-done";

    /// <summary>Derives a run's status.</summary>
    /// <param name="lastHeartbeatSeconds">The run's <c>last_heartbeat_ts</c> (epoch seconds), or null.</param>
    /// <param name="endStepMetadata">Metadata rows of the run (rows of other steps are ignored).</param>
    /// <param name="now">The current time (from the backend's <see cref="TimeProvider"/>).</param>
    public static DerivedStatus DeriveRun(long? lastHeartbeatSeconds, IEnumerable<MetadataDto> endStepMetadata, DateTimeOffset now)
    {
        MetadataDto? endOk = null;
        MetadataDto? endAttempt = null;
        foreach (var row in endStepMetadata)
        {
            if (row.StepName != EndStep)
            {
                continue;
            }
            if (row.FieldName == AttemptOkField && IsNewer(row, endOk))
            {
                endOk = row;
            }
            else if (row.FieldName == AttemptField && IsNewer(row, endAttempt))
            {
                endAttempt = row;
            }
        }

        var okValue = endOk is null ? null : ParseBoolean(endOk.Value);
        // The UI joins the newest end 'attempt' only when the newest attempt_ok is false (a retry may be underway).
        if (okValue == false && endAttempt is not null && endOk!.TsEpoch < endAttempt.TsEpoch)
        {
            return new DerivedStatus(RunStatus.Running, "running", null);
        }
        if (okValue == true)
        {
            return new DerivedStatus(RunStatus.Succeeded, "completed", EpochTime.FromMilliseconds(endOk!.TsEpoch));
        }
        if (okValue == false)
        {
            return new DerivedStatus(RunStatus.Failed, "failed", EpochTime.FromMilliseconds(endOk!.TsEpoch));
        }
        var lastBeat = EpochTime.FromSeconds(lastHeartbeatSeconds);
        if (lastBeat is { } beat && (now - beat).Duration() <= RunInactiveCutoff)
        {
            return new DerivedStatus(RunStatus.Running, "running", null);
        }
        return new DerivedStatus(RunStatus.Failed, "failed", lastBeat);
    }

    /// <summary>A task's latest attempt and its timings, from the task's metadata rows.</summary>
    public static TaskAttemptSummary SummarizeTask(IEnumerable<MetadataDto> taskMetadata)
    {
        var summary = new TaskAttemptSummary();
        foreach (var row in taskMetadata)
        {
            summary.Add(row);
        }
        return summary;
    }

    /// <summary>Derives a task's status like the UI backend's task table, for its latest attempt.</summary>
    public static DerivedStatus DeriveTask(TaskAttemptSummary attempt, long? taskHeartbeatSeconds, DateTimeOffset now)
    {
        if (attempt.Ok == true)
        {
            return new DerivedStatus(RunStatus.Succeeded, "completed", attempt.FinishedAt);
        }
        if (attempt.Ok == false)
        {
            return new DerivedStatus(RunStatus.Failed, "failed", attempt.FinishedAt);
        }
        if (attempt.DoneAt is not null)
        {
            return new DerivedStatus(RunStatus.Unknown, "unknown", attempt.DoneAt);
        }
        if (EpochTime.FromSeconds(taskHeartbeatSeconds) is { } beat)
        {
            return now - beat > TaskHeartbeatThreshold
                ? new DerivedStatus(RunStatus.Failed, "failed", beat)
                : new DerivedStatus(RunStatus.Running, "running", null);
        }
        if (attempt.StartedAt is not { } started)
        {
            return new DerivedStatus(RunStatus.Queued, "pending", null);
        }
        return now - started > TaskNoHeartbeatCutoff
            ? new DerivedStatus(RunStatus.Failed, "failed", null)
            : new DerivedStatus(RunStatus.Running, "running", null);
    }

    /// <summary>The attempt a metadata row belongs to (its <c>attempt_id:N</c> tag), or null.</summary>
    public static int? AttemptOf(MetadataDto row)
    {
        foreach (var tag in row.Tags)
        {
            if (tag.StartsWith("attempt_id:", StringComparison.Ordinal)
                && int.TryParse(tag.AsSpan("attempt_id:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }
        }
        return null;
    }

    /// <summary>PostgreSQL's <c>text::boolean</c> reading, which the UI backend applies to <c>attempt_ok</c> values (<c>True</c>/<c>False</c>, <c>1</c>/<c>0</c>, …).</summary>
    public static bool? ParseBoolean(string? value)
    {
        var v = value?.Trim().ToUpperInvariant();
        return v switch
        {
            "T" or "TR" or "TRU" or "TRUE" or "Y" or "YE" or "YES" or "ON" or "1" => true,
            "F" or "FA" or "FAL" or "FALS" or "FALSE" or "N" or "NO" or "OF" or "OFF" or "0" => false,
            _ => null,
        };
    }

    // ORDER BY ts_epoch DESC LIMIT 1; equal timestamps are broken by the serial id so the answer is deterministic.
    private static bool IsNewer(MetadataDto row, MetadataDto? current)
        => current is null || row.TsEpoch > current.TsEpoch || (row.TsEpoch == current.TsEpoch && row.Id > current.Id);
}

/// <summary>What a task's metadata says about its latest attempt.</summary>
internal sealed class TaskAttemptSummary
{
    private MetadataDto? _ok;

    /// <summary>The latest attempt number (0-based), or null when no attempt was recorded.</summary>
    public int? Attempt { get; private set; }

    /// <summary>When the latest attempt started.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>The latest attempt's <c>attempt_ok</c>, when written.</summary>
    public bool? Ok => _ok is null ? null : MetaflowStatus.ParseBoolean(_ok.Value);

    /// <summary>When the latest attempt's <c>attempt_ok</c> was written.</summary>
    public DateTimeOffset? FinishedAt => _ok is null ? DoneAt : EpochTime.FromMilliseconds(_ok.TsEpoch);

    /// <summary>When the latest attempt's <c>attempt-done</c> was written.</summary>
    public DateTimeOffset? DoneAt { get; private set; }

    private readonly Dictionary<int, (MetadataDto? Ok, long? Start, long? Done)> _byAttempt = [];

    public void Add(MetadataDto row)
    {
        if (row.FieldName is not (MetaflowStatus.AttemptField or MetaflowStatus.AttemptOkField or MetaflowStatus.AttemptDoneField))
        {
            return;
        }
        var attempt = MetaflowStatus.AttemptOf(row)
            ?? (row.FieldName == MetaflowStatus.AttemptField && int.TryParse(row.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0);
        _byAttempt.TryGetValue(attempt, out var entry);
        switch (row.FieldName)
        {
            case MetaflowStatus.AttemptField:
                entry.Start = entry.Start is { } s ? Math.Min(s, row.TsEpoch) : row.TsEpoch;
                break;
            case MetaflowStatus.AttemptOkField:
                if (entry.Ok is null || row.TsEpoch > entry.Ok.TsEpoch || (row.TsEpoch == entry.Ok.TsEpoch && row.Id > entry.Ok.Id))
                {
                    entry.Ok = row;
                }
                break;
            default:
                entry.Done = entry.Done is { } d ? Math.Max(d, row.TsEpoch) : row.TsEpoch;
                break;
        }
        _byAttempt[attempt] = entry;
        var latest = _byAttempt.Keys.Max();
        var current = _byAttempt[latest];
        Attempt = latest;
        _ok = current.Ok;
        StartedAt = EpochTime.FromMilliseconds(current.Start);
        DoneAt = EpochTime.FromMilliseconds(current.Done);
    }
}
