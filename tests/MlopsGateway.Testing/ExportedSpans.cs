using System.Collections;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MlopsGateway.Testing;

/// <summary>
/// Captures finished spans the way an application would see them: an OpenTelemetry tracer provider built with
/// <c>AddMlopsGatewayInstrumentation()</c> plus .NET's <c>System.Net.Http</c> source, exporting to the SDK's
/// in-memory exporter. Tests run in parallel, so read one trace (<see cref="InTrace"/>) or filter by attribute.
/// </summary>
public sealed class ExportedSpans : IDisposable
{
    private readonly SynchronizedList _spans = new();
    private readonly TracerProvider _provider;

    /// <summary>Starts a tracer provider that samples and exports every gateway and HTTP client span.</summary>
    public ExportedSpans()
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddMlopsGatewayInstrumentation()
            .AddSource("System.Net.Http")
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(_spans)
            .Build()!;
    }

    /// <summary>Every span exported so far, in end order.</summary>
    public IReadOnlyList<Activity> All => _spans.Snapshot();

    /// <summary>The spans of one trace, in end order.</summary>
    /// <param name="traceId">The trace.</param>
    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => All.Where(a => a.TraceId == traceId).ToArray();

    /// <summary>The gateway's spans (source <c>MlopsGateway</c>) carrying <c>server.port</c> = <paramref name="port"/>, for traces a test did not start itself.</summary>
    /// <param name="port">The port of the test's server.</param>
    public IReadOnlyList<Activity> ForServerPort(int port) => All.Where(a => a.Source.Name == "MlopsGateway" && a.GetTagItem("server.port") is int p && p == port).ToArray();

    /// <summary>Starts a sampled root activity, so a test finds its spans with <see cref="InTrace"/>.</summary>
    /// <param name="name">The root's name.</param>
    public static Activity StartTestRoot(string name = "test")
    {
        var activity = new Activity(name);
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        return activity.Start();
    }

    /// <inheritdoc/>
    public void Dispose() => _provider.Dispose();

    /// <summary>The exporter adds from whichever thread ends a span; tests read while other tests' spans arrive.</summary>
    private sealed class SynchronizedList : ICollection<Activity>
    {
        private readonly List<Activity> _items = [];

        public int Count { get { lock (_items) { return _items.Count; } } }
        public bool IsReadOnly => false;
        public Activity[] Snapshot() { lock (_items) { return [.. _items]; } }
        public void Add(Activity item) { lock (_items) { _items.Add(item); } }
        public void Clear() { lock (_items) { _items.Clear(); } }
        public bool Contains(Activity item) { lock (_items) { return _items.Contains(item); } }
        public void CopyTo(Activity[] array, int arrayIndex) { lock (_items) { _items.CopyTo(array, arrayIndex); } }
        public bool Remove(Activity item) { lock (_items) { return _items.Remove(item); } }
        public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)Snapshot()).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
