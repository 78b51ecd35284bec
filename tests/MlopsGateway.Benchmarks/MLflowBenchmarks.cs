using System.Net.Http.Json;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.MLflow.Api;
using MlopsGateway.Testing;

namespace MlopsGateway.Benchmarks;

/// <summary>
/// A minimal MLflow-shaped server for the MLflow benchmarks, on <see cref="FakeServer"/> (WireMock.Net, 127.0.0.1):
/// fixed answers for the few RPCs the measured paths call (get/create/update run, get experiment by name,
/// log-batch). Not the test fake — no state, a short request log — so the server's own cost stays small and
/// equal for every variant.
/// </summary>
internal sealed class MLflowBenchServer : IAsyncDisposable
{
    public const string RunId = "e7beb677700c4a478e60ed0d027f0b92";

    private const string RunJson = """
        {"run": {"info": {"run_uuid": "e7beb677700c4a478e60ed0d027f0b92", "experiment_id": "1", "run_name": "bench", "user_id": "alice",
          "status": "RUNNING", "start_time": 1795323905459, "artifact_uri": "mlflow-artifacts:/1/e7beb677700c4a478e60ed0d027f0b92/artifacts",
          "lifecycle_stage": "active", "run_id": "e7beb677700c4a478e60ed0d027f0b92"},
          "data": {"metrics": [{"key": "loss", "value": 0.25, "timestamp": 1795323907504, "step": 2}, {"key": "acc", "value": 0.94, "timestamp": 1795323905670, "step": 4}],
          "params": [{"key": "lr", "value": "0.01"}, {"key": "optimizer", "value": "adam"}],
          "tags": [{"key": "mlflow.user", "value": "alice"}, {"key": "team", "value": "dotnet"}, {"key": "mlflow.runName", "value": "bench"}]},
          "inputs": {}}}
        """;

    private const string ExperimentJson = """
        {"experiment": {"experiment_id": "1", "name": "bench", "artifact_location": "mlflow-artifacts:/1", "lifecycle_stage": "active",
          "last_update_time": 1795323905098, "creation_time": 1795323905098}}
        """;

    private const string Api = "/api/2.0/mlflow/";

    private long _logBatches;

    private MLflowBenchServer()
    {
        Server = FakeServer.Start(maxLoggedRequests: 100);
        Server.Route("POST", Api + "runs/log-batch", _ =>
        {
            Interlocked.Increment(ref _logBatches);
            return FakeResponse.JsonText(200, "{}");
        });
        Server.Route("GET", Api + "runs/get", _ => FakeResponse.JsonText(200, RunJson));
        Server.Route("POST", Api + "runs/create", _ => FakeResponse.JsonText(200, RunJson));
        Server.Route("GET", Api + "experiments/get-by-name", _ => FakeResponse.JsonText(200, ExperimentJson));
        Server.Route("POST", Api + "runs/update", _ => FakeResponse.JsonText(200, "{\"run_info\": {\"run_id\": \"" + RunId + "\", \"status\": \"FINISHED\"}}"));
    }

    /// <summary>The server, for its connection count.</summary>
    public FakeServer Server { get; }

    public Uri BaseUri => Server.BaseUri;

    public long LogBatches => Interlocked.Read(ref _logBatches);

    public void ResetCounts() => Interlocked.Exchange(ref _logBatches, 0);

    public static Task<MLflowBenchServer> StartAsync() => Task.FromResult(new MLflowBenchServer());

    public static ServiceProvider Gateway(Uri baseUri, int? maxConcurrentRequests = null)
    {
        var services = new ServiceCollection();
        services.AddMlopsGateway(o => o.Backends["ml"] = new BackendOptions { Type = "MLflow", BaseUrl = baseUri.ToString(), MaxConcurrentRequests = maxConcurrentRequests }).AddMLflow();
        return services.BuildServiceProvider();
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

/// <summary>
/// (a) Overhead of the gateway's get-run path (DI-built backend: telemetry decorator, resilience handler,
/// error mapping, DTO → domain mapping) against raw HttpClient + System.Text.Json on the same loopback server.
/// </summary>
[MemoryDiagnoser]
public class MLflowGetRunBenchmarks
{
    private MLflowBenchServer _server = null!;
    private ServiceProvider _provider = null!;
    private IMlopsBackend _backend = null!;
    private HttpClient _raw = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await MLflowBenchServer.StartAsync();
        _provider = MLflowBenchServer.Gateway(_server.BaseUri);
        _backend = _provider.GetRequiredKeyedService<IMlopsBackend>("ml");
        _raw = new HttpClient { BaseAddress = _server.BaseUri };
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _raw.Dispose();
        await _provider.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>Raw HttpClient GET + source-generated deserialization into the same wire type.</summary>
    [Benchmark(Baseline = true)]
    public async Task<string?> RawHttpClient()
    {
        var response = await _raw.GetFromJsonAsync("api/2.0/mlflow/runs/get?run_id=" + MLflowBenchServer.RunId, MLflowJsonContext.Default.RunResponse);
        return response?.Run?.Info?.Status;
    }

    /// <summary>The gateway: <c>backend.Runs.GetAsync(runId)</c> returning a mapped <see cref="Run"/>.</summary>
    [Benchmark]
    public async Task<RunStatus> Gateway() => (await _backend.Runs.GetAsync(MLflowBenchServer.RunId)).Status;
}

/// <summary>
/// (b) Logging 100,000 metrics: through the ActiveRun helper (log-batch requests of 1000, 4 in flight vs
/// 1 in flight; interval flushing off) versus one log-batch request per metric.
/// </summary>
[MemoryDiagnoser]
public class MLflowMetricLoggingBenchmarks
{
    private MLflowBenchServer _server = null!;
    private ServiceProvider _provider = null!;
    private IMlopsBackend _backend = null!;

    [Params(100_000)]
    public int Metrics { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await MLflowBenchServer.StartAsync();
        _provider = MLflowBenchServer.Gateway(_server.BaseUri);
        _backend = _provider.GetRequiredKeyedService<IMlopsBackend>("ml");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _provider.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task HelperPipelined4() => LogThroughHelperAsync(4);

    [Benchmark]
    public Task HelperOneInFlight() => LogThroughHelperAsync(1);

    /// <summary>What a naive client does: one request per metric (sequential).</summary>
    [Benchmark]
    public async Task OneRequestPerMetric()
    {
        var t = DateTimeOffset.UtcNow;
        for (var i = 0; i < Metrics; i++)
        {
            await _backend.Runs.LogBatchAsync(MLflowBenchServer.RunId, new RunLogBatch { Metrics = [new MetricPoint("loss", i, t, i)] });
        }
    }

    private async Task LogThroughHelperAsync(int inFlight)
    {
        var run = await _backend.Runs.StartAsync("bench", new RunStartOptions { FlushInterval = TimeSpan.Zero, MaxParallelBatches = inFlight });
        await using (run)
        {
            for (var i = 0; i < Metrics; i++)
            {
                await run.LogMetricAsync("loss", i, step: i);
            }
            await run.FlushAsync();
            run.Complete();
        }
    }
}
