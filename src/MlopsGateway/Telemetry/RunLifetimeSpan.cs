using System.Diagnostics;

namespace MlopsGateway;

/// <summary>
/// The <c>Runs.Run</c> span: one per run started with <c>Runs.StartAsync</c> or <c>Runs.RunAsync</c>, from start to
/// end, so a training run reads as one trace — <c>Runs.Start</c>, every flush (background ones too), the caller's
/// uploads and <c>Runs.End</c> are inside it. It records the experiment, the run id, the final status, and the
/// failure that ended the run Failed.
/// </summary>
internal sealed class RunLifetimeSpan
{
    private readonly Activity? _activity;
    private Exception? _failure;
    private int _ended;

    private RunLifetimeSpan(Activity? activity) => _activity = activity;

    /// <summary>No span: the run cannot start on this backend.</summary>
    public static RunLifetimeSpan None { get; } = new(null);

    /// <summary>Starts the span as the current span of the calling flow (call it from a method that is not async, so the caller keeps it).</summary>
    public static RunLifetimeSpan Start(MlopsOperations operations, string experimentName)
    {
        var activity = operations.StartActivity(MlopsTelemetry.RunLifetimeSpanName);
        activity?.SetTag(MlopsTelemetry.ExperimentNameAttribute, experimentName);
        return new RunLifetimeSpan(activity);
    }

    /// <summary>The parent of the spans the run makes itself (flushes, end); default when nobody listens.</summary>
    public ActivityContext Context => _activity?.Context ?? default;

    public void Started(string runId) => _activity?.SetTag(MlopsTelemetry.RunIdAttribute, runId);

    /// <summary>Keeps the first failure (the body's, a flush's or the end's) for <c>error.type</c>.</summary>
    public void RecordFailure(Exception exception) => Interlocked.CompareExchange(ref _failure, exception, null);

    /// <summary>Gives the calling flow its previous current span back, when the run's span is still its current one.</summary>
    public void LeaveCaller()
    {
        if (_activity is not null && ReferenceEquals(Activity.Current, _activity))
        {
            Activity.Current = _activity.Parent;
        }
    }

    /// <summary>Ends the span; <paramref name="status"/> is the run's final status, or null when the run never started.</summary>
    public void End(RunStatus? status)
    {
        if (_activity is null || Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }
        if (status is { } final)
        {
            _activity.SetTag(MlopsTelemetry.RunStatusAttribute, final.ToString());
        }
        if (status is not RunStatus.Succeeded)
        {
            var failure = Volatile.Read(ref _failure);
            var errorType = failure switch
            {
                null => null,
                OperationCanceledException => "cancelled",
                _ => failure.GetType().Name,
            };
            _activity.SetTag(MlopsTelemetry.ErrorTypeAttribute, errorType);
            _activity.SetStatus(ActivityStatusCode.Error, failure is MlopsException ? failure.Message
                : errorType ?? $"the run ended {status} without Complete()");
        }
        _activity.Dispose();
    }
}
