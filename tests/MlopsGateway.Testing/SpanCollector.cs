using System.Collections.Concurrent;
using System.Diagnostics;

namespace MlopsGateway.Testing;

/// <summary>Captures finished activities from the gateway's source (and .NET's HTTP client source) through an <see cref="ActivityListener"/>.</summary>
public sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();

    /// <summary>Starts listening to <c>MlopsGateway</c> and <c>System.Net.Http</c>, sampling everything.</summary>
    public SpanCollector(params string[] extraSources)
    {
        var sources = new HashSet<string>(["MlopsGateway", "System.Net.Http", .. extraSources]);
        _listener = new ActivityListener
        {
            ShouldListenTo = s => sources.Contains(s.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Finished spans, in stop order.</summary>
    public IReadOnlyList<Activity> Spans => _spans.ToArray();

    /// <summary>Finished gateway spans (source <c>MlopsGateway</c>).</summary>
    public IReadOnlyList<Activity> GatewaySpans => _spans.Where(a => a.Source.Name == "MlopsGateway").ToArray();

    /// <summary>Finished spans of one trace: tests run in parallel, so filter by the trace a test started.</summary>
    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => _spans.Where(a => a.TraceId == traceId).ToArray();

    /// <summary>Starts a root activity for a test, so its spans can be found with <see cref="InTrace"/>.</summary>
    public static Activity StartTestRoot(string name = "test")
    {
        var activity = new Activity(name);
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        return activity.Start();
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();
}
