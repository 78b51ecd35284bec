using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Local;

namespace MlopsGateway.Benchmarks;

/// <summary>
/// Run-logging throughput on the Local backend, built through DI (so the telemetry decorator is in the
/// path, with no listener attached), on a WAL database file and in memory. Each invocation logs
/// <see cref="Metrics"/> metric values; BenchmarkDotNet reports the time per value (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class LocalLoggingBenchmarks
{
    private const int Metrics = 10_000;
    private ServiceProvider _services = null!;
    private IMlopsBackend _backend = null!;
    private Run _run = null!;
    private RunLogBatch[] _batches = null!;
    private string? _directory;

    /// <summary>Where the database lives: a file in WAL mode or memory.</summary>
    [Params("file", "memory")]
    public string Storage { get; set; } = "file";

    [GlobalSetup]
    public void Setup()
    {
        var options = new BackendOptions { Type = "Local" };
        if (Storage == "file")
        {
            _directory = Path.Combine(Path.GetTempPath(), $"mlops-bench-{Guid.NewGuid():N}");
            options.Settings["Path"] = Path.Combine(_directory, "bench.db");
        }
        else
        {
            options.Settings["Path"] = LocalBackend.InMemoryPath;
        }
        _services = new ServiceCollection()
            .AddMlopsGateway(o => o.Backends["bench"] = options)
            .AddLocal()
            .Services.BuildServiceProvider();
        _backend = _services.GetRequiredService<IMlopsBackend>();
        var experiment = _backend.Runs.CreateExperimentAsync("bench").GetAwaiter().GetResult();
        _run = _backend.Runs.CreateRunAsync(experiment.Id).GetAwaiter().GetResult();
        var limit = _backend.Capabilities.Limits.MaxMetricsPerBatch;
        _batches = Enumerable.Range(0, Metrics / limit)
            .Select(b => new RunLogBatch
            {
                Metrics = Enumerable.Range(0, limit).Select(i => new MetricPoint("loss", i * 1e-3, DateTimeOffset.UnixEpoch.AddMilliseconds(i), (b * limit) + i)).ToArray(),
            })
            .ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>LogBatchAsync with batches of the backend's largest size (5,000 metrics = one transaction each).</summary>
    [Benchmark(OperationsPerInvoke = Metrics)]
    public async Task LogBatch()
    {
        foreach (var batch in _batches)
        {
            await _backend.Runs.LogBatchAsync(_run, batch);
        }
    }

    /// <summary>The run-logging helper end to end: start a run, LogMetric 10,000 times (buffered), flush and end it.</summary>
    [Benchmark(OperationsPerInvoke = Metrics)]
    public async Task ActiveRun_LogMetric()
    {
        await using var run = await _backend.Runs.StartAsync("bench-active", new RunStartOptions { FlushInterval = TimeSpan.Zero });
        for (var i = 0; i < Metrics; i++)
        {
            run.LogMetric("loss", i * 1e-3, i);
        }
        await run.FlushAsync();
        run.Complete();
    }
}
