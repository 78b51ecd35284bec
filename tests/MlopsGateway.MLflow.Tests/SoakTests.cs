using MlopsGateway.MLflow.Tests.Fake;
using Xunit.Abstractions;

namespace MlopsGateway.MLflow.Tests;

/// <summary>The soak runs alone: its memory reading must not see other tests' allocations.</summary>
[CollectionDefinition(nameof(SoakCollection), DisableParallelization = true)]
public sealed class SoakCollection;

/// <summary>
/// An ActiveRun logs 100,000 metrics while the MLflow fake fails 5% of log-batch requests (503, connection reset
/// before the answer, an answer later than the attempt timeout): nothing is lost, repeats are exact, the run
/// finishes and the buffer never holds more than its capacity.
/// </summary>
[Collection(nameof(SoakCollection))]
public sealed class SoakTests(ITestOutputHelper output)
{
    /// <summary>
    /// A leak guard on what the process keeps after the soak: the fake's stored history takes about 26 MB, so this
    /// catches retained request or response buffers, not a few MB. The buffer's own bound is checked exactly, through
    /// <see cref="ActiveRun.PendingCount"/>.
    /// </summary>
    private const long RetainedBytesBound = 64L * 1024 * 1024;

    [Fact]
    public async Task An_active_run_logs_100_000_metrics_through_injected_faults_and_loses_none()
    {
        // Injected timeouts cost one attempt timeout each: 300 ms here, with room for retries on a busy machine.
        var faults = new InjectedFaults(rate: 0.05, stall: TimeSpan.FromSeconds(5));
        output.WriteLine($"soak: {faults.Describe()}");
        await using var h = await MLflowHarness.StartAsync(o =>
        {
            o.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(30);
            o.Resilience.MaxRetryAttempts = 6;
        });
        h.Fake.Server.Route("POST", "/api/2.0/mlflow/runs/log-batch", r => faults.ServeAsync(r, h.Fake.Handle, h.Fake.Server.Stopping));
        var retainedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var (ended, runId, peakPending) = await MetricSoak.RunAsync(h.Runs, "soak");

        output.WriteLine($"soak: {faults.Describe()}; peak buffered {peakPending}");
        ended.Status.Should().Be(RunStatus.Succeeded);
        ended.RawStatus.Should().Be("FINISHED");
        (await h.Runs.GetAsync(runId)).RawStatus.Should().Be("FINISHED");
        faults.Counts.Should().ContainKeys(InjectedFault.Unavailable, InjectedFault.Reset, InjectedFault.Timeout);

        var stored = h.Fake.History(runId).GroupBy(m => (m.Key, m.Step)).ToDictionary(g => g.Key, g => g.ToList());
        var missing = Enumerable.Range(0, MetricSoak.Metrics).Where(i => !stored.ContainsKey((MetricSoak.Key(i), MetricSoak.Step(i)))).Take(5).ToList();
        missing.Should().BeEmpty("every (key, step) logged reaches the server (seed {0})", faults.Seed);
        stored.Should().HaveCount(MetricSoak.Metrics);
        foreach (var ((key, step), points) in stored)
        {
            points.Should().AllSatisfy(p => p.Should().Be(points[0]), "a repeat of ({0}, {1}) is an exact re-send, never a different value (seed {2})", key, step, faults.Seed);
            points[0].Value.Should().Be(step * MetricSoak.Keys + int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture));
        }

        peakPending.Should().BeLessThanOrEqualTo(MetricSoak.BufferCapacity, "the buffer is bounded: LogMetricAsync waits for room");
        h.Fake.ClearRequests();
        var retainedAfter = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"soak: managed memory before {retainedBefore / 1024} KiB, after {retainedAfter / 1024} KiB");
        (retainedAfter - retainedBefore).Should().BeLessThan(RetainedBytesBound);
    }
}
