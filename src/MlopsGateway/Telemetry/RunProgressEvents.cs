using System.Diagnostics;

namespace MlopsGateway;

/// <summary>
/// Records the progress of <c>Runs.WaitForCompletion</c> as events on its one span — an <c>mlops.run.progress</c>
/// event each time the polled status changes (the first poll included) — and passes every snapshot on to the
/// caller's <see cref="IProgress{T}"/>. Unchanged polls add no event, so a long wait stays a readable span.
/// </summary>
internal sealed class RunProgressEvents : IProgress<Run>
{
    private readonly Activity _span;
    private readonly IProgress<Run>? _caller;
    private (RunStatus Status, string? Raw)? _last;
    private int _polls;

    private RunProgressEvents(Activity span, IProgress<Run>? caller)
    {
        _span = span;
        _caller = caller;
    }

    /// <summary>The caller's progress, wrapped when there is a span to record on.</summary>
    public static IProgress<Run>? Around(Activity? span, IProgress<Run>? caller)
        => span is null || !span.IsAllDataRequested ? caller : new RunProgressEvents(span, caller);

    public void Report(Run value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var polls = Interlocked.Increment(ref _polls);
        _span.SetTag(MlopsTelemetry.WaitPollsAttribute, polls);
        if (_last != (value.Status, value.RawStatus))
        {
            _last = (value.Status, value.RawStatus);
            _span.AddEvent(new ActivityEvent(MlopsTelemetry.RunProgressEventName, tags: new ActivityTagsCollection
            {
                [MlopsTelemetry.RunStatusAttribute] = value.Status.ToString(),
                [MlopsTelemetry.RunRawStatusAttribute] = value.RawStatus,
            }));
        }
        _caller?.Report(value);
    }
}
