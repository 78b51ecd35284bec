using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Http;
using MlopsGateway.MLflow;
using MlopsGateway.MLflow.Api;

namespace MlopsGateway.Benchmarks;

/// <summary>
/// Where the per-call cost of <c>Runs.GetAsync</c> on MLflow goes, layer by layer, on the same loopback server:
/// raw <see cref="HttpClient"/> + System.Text.Json; the adapter's Refit client on a plain client; the Refit client on
/// the gateway's named client (resilience handler, auth, retried-DELETE rule); plus mapping the wire run to a
/// <see cref="Run"/>; the whole gateway (telemetry decorator) with nobody listening; and with an activity and a meter
/// listener subscribed, as an OpenTelemetry SDK would be.
/// </summary>
[MemoryDiagnoser]
public class MLflowGetRunBreakdownBenchmarks
{
    private MLflowBenchServer _server = null!;
    private ServiceProvider _provider = null!;
    private HttpClient _raw = null!;
    private IMLflowTrackingApi _refitPlain = null!;
    private IMLflowTrackingApi _refitGateway = null!;
    private IMlopsBackend _backend = null!;
    private ActivityListener? _activities;
    private MeterListener? _meters;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await MLflowBenchServer.StartAsync();
        _provider = MLflowBenchServer.Gateway(_server.BaseUri);
        _backend = _provider.GetRequiredKeyedService<IMlopsBackend>("ml");
        _raw = new HttpClient { BaseAddress = _server.BaseUri };
        var options = new BackendOptions { Type = "MLflow", BaseUrl = _server.BaseUri.ToString() };
        _refitPlain = BackendApi.Create<IMLflowTrackingApi>(
            new BackendContext("ml", options, httpClientFactory: _ => new HttpClient { BaseAddress = _server.BaseUri }),
            MLflowJsonContext.Default, MLflowErrorParser.Instance);
        var factory = _provider.GetRequiredService<IHttpClientFactory>();
        _refitGateway = BackendApi.Create<IMLflowTrackingApi>(
            new BackendContext("ml", options, httpClientFactory: e => factory.CreateClient(MlopsHttpClientNames.For("ml", e))),
            MLflowJsonContext.Default, MLflowErrorParser.Instance);
    }

    [GlobalSetup(Target = nameof(GatewayWithListeners))]
    public async Task SetupWithListenersAsync()
    {
        await SetupAsync();
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name is MlopsTelemetry.SourceName or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener { InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument) };
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => { });
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => { });
        _meters.Start();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        _raw.Dispose();
        await _provider.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>Raw HttpClient GET + source-generated deserialization into the adapter's wire type.</summary>
    [Benchmark(Baseline = true)]
    public async Task<string?> Raw()
        => (await _raw.GetFromJsonAsync("api/2.0/mlflow/runs/get?run_id=" + MLflowBenchServer.RunId, MLflowJsonContext.Default.RunResponse))?.Run?.Info?.Status;

    /// <summary>The adapter's Refit client with the gateway's settings, on a plain HttpClient.</summary>
    [Benchmark]
    public async Task<string?> Refit() => (await _refitPlain.GetRunAsync(MLflowBenchServer.RunId, default))?.Run?.Info?.Status;

    /// <summary>The Refit client on the backend's named client: resilience handler, auth, retried-DELETE rule.</summary>
    [Benchmark]
    public async Task<string?> RefitResilience() => (await _refitGateway.GetRunAsync(MLflowBenchServer.RunId, default))?.Run?.Info?.Status;

    /// <summary>As <see cref="RefitResilience"/>, plus mapping the wire run to a <see cref="Run"/>.</summary>
    [Benchmark]
    public async Task<RunStatus> RefitResilienceMapping()
        => MLflowMapper.ToRun("ml", (await _refitGateway.GetRunAsync(MLflowBenchServer.RunId, default)).Run!).Status;

    /// <summary>The whole gateway, <c>backend.Runs.GetAsync</c>: telemetry decorator with nobody listening.</summary>
    [Benchmark]
    public async Task<RunStatus> Gateway() => (await _backend.Runs.GetAsync(MLflowBenchServer.RunId)).Status;

    /// <summary>The whole gateway with an activity listener (gateway and HttpClient spans recorded) and a meter listener.</summary>
    [Benchmark]
    public async Task<RunStatus> GatewayWithListeners() => (await _backend.Runs.GetAsync(MLflowBenchServer.RunId)).Status;
}
