using System.Collections.Concurrent;
using System.Diagnostics;

namespace MlopsGateway;

/// <summary>
/// The span contexts of the runs a backend triggered most recently (bounded), so that
/// <c>Runs.WaitForCompletion</c> on one of them, called without a span of the caller's own, continues the
/// <c>Pipelines.Trigger</c> span's trace: trigger-and-wait reads as one trace.
/// </summary>
internal sealed class TriggeredRunTraces
{
    private const int Capacity = 256;
    private readonly ConcurrentDictionary<string, ActivityContext> _contexts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public void Remember(string runId, Activity? trigger)
    {
        if (trigger is null || !_contexts.TryAdd(runId, trigger.Context))
        {
            return;
        }
        _order.Enqueue(runId);
        while (_order.Count > Capacity && _order.TryDequeue(out var oldest))
        {
            _contexts.TryRemove(oldest, out _);
        }
    }

    /// <summary>The trigger's context when the caller has no current span and this backend triggered the run; otherwise default (the current span).</summary>
    public ActivityContext ParentFor(RunRef run)
        => Activity.Current is null && _contexts.TryGetValue(run.Id, out var context) ? context : default;
}
