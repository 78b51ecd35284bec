using MlopsGateway.Testing;
using Xunit.Abstractions;

namespace MlopsGateway.Local.Tests;

/// <summary>The soak runs alone, so its buffer reading sees only its own run.</summary>
[CollectionDefinition(nameof(SoakCollection), DisableParallelization = true)]
public sealed class SoakCollection;

/// <summary>
/// Local batches an ActiveRun's metrics too (5,000 per SQLite transaction). It has no transport, so there is
/// nothing to inject faults into: the soak shows the same outcome without them — 100,000 metrics, every
/// (key, step) stored once, the run Succeeded and the buffer never above its capacity.
/// </summary>
[Collection(nameof(SoakCollection))]
public sealed class SoakTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_active_run_logs_100_000_metrics_and_loses_none()
    {
        var options = new BackendOptions { Type = "Local" };
        options.Settings["Path"] = _dir.File("soak.db");
        await using var backend = new LocalBackend(new BackendContext("local", options));
        var (ended, runId, peakPending) = await MetricSoak.RunAsync(backend.Runs, "soak");

        output.WriteLine($"soak: peak buffered {peakPending}");
        ended.Status.Should().Be(RunStatus.Succeeded);
        (await backend.Runs.GetAsync(runId)).Status.Should().Be(RunStatus.Succeeded);
        for (var k = 0; k < MetricSoak.Keys; k++)
        {
            var history = await backend.Runs.GetMetricHistoryAsync(runId, $"m{k}").ToListAsync();
            history.Select(p => p.Step).Should().BeEquivalentTo(Enumerable.Range(0, MetricSoak.Metrics / MetricSoak.Keys).Select(s => (long)s), "every step of m{0} is stored exactly once", k);
            history.Should().OnlyContain(p => p.Value == p.Step * MetricSoak.Keys + k);
        }
        peakPending.Should().BeLessThanOrEqualTo(MetricSoak.BufferCapacity, "the buffer is bounded: LogMetricAsync waits for room");
    }
}
