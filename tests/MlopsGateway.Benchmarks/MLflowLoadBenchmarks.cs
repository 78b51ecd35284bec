using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace MlopsGateway.Benchmarks;

/// <summary>
/// Load: 1,000 concurrent <c>Runs.GetAsync</c> calls against the MLflow-shaped <see cref="MLflowBenchServer"/> on
/// loopback, with the default options (no concurrency limit) and with <c>MaxConcurrentRequests = 16</c>. Each
/// invocation is one burst of 1,000 operations; besides BenchmarkDotNet's time per operation, the cleanup prints
/// the failures (expected 0), the distinct TCP connections the server saw, and p50/p99/max of the per-operation
/// latency measured by each caller (so time queued in the limiter counts) over every burst of the run.
/// </summary>
[MemoryDiagnoser]
public class MLflowLoadBenchmarks
{
    private const int Operations = 1_000;

    private readonly ConcurrentBag<double> _latenciesMs = [];
    private MLflowBenchServer _server = null!;
    private ServiceProvider _provider = null!;
    private IMlopsBackend _backend = null!;
    private int _failures;
    private int _bursts;
    private int _connections;

    /// <summary>The backend's <c>MaxConcurrentRequests</c>; null is the default (no limit).</summary>
    [Params(null, 16)]
    public int? MaxConcurrentRequests { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await MLflowBenchServer.StartAsync();
        _provider = MLflowBenchServer.Gateway(_server.BaseUri, MaxConcurrentRequests);
        _backend = _provider.GetRequiredKeyedService<IMlopsBackend>("ml");
    }

    /// <summary>One burst: 1,000 gets started together, each timed from its call to its result.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task ConcurrentGetRun()
    {
        var calls = new Task[Operations];
        for (var i = 0; i < Operations; i++)
        {
            calls[i] = TimedGetAsync();
        }
        await Task.WhenAll(calls);
        Interlocked.Increment(ref _bursts);
        _connections = Math.Max(_connections, _server.Server.Connections);
    }

    private async Task TimedGetAsync()
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _backend.Runs.GetAsync(MLflowBenchServer.RunId);
            _latenciesMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (MlopsException)
        {
            Interlocked.Increment(ref _failures);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        var sorted = _latenciesMs.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        var limit = MaxConcurrentRequests?.ToString(CultureInfo.InvariantCulture) ?? "default (none)";
        var report = string.Create(CultureInfo.InvariantCulture,
            $"LOAD MaxConcurrentRequests={limit}: bursts {_bursts} x {Operations} ops, failures {_failures}, connections {_connections}, "
            + $"p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms, max {sorted.LastOrDefault():F1} ms, p99/p50 {Percentile(0.99) / Percentile(0.50):F2}");
        Console.WriteLine(report);
        var artifacts = Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts");
        Directory.CreateDirectory(artifacts);
        await File.AppendAllTextAsync(Path.Combine(artifacts, "load-percentiles.txt"), report + Environment.NewLine);
        await _provider.DisposeAsync();
        await _server.DisposeAsync();
    }
}
