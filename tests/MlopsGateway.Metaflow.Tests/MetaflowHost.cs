using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Metaflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>A metadata-service fake plus a Metaflow backend built through DI against it, sharing one manual clock.</summary>
internal sealed class MetaflowHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;

    private MetaflowHost(MetaflowFake fake, ServiceProvider provider, WatchedTimeProvider clock)
    {
        Fake = fake;
        _provider = provider;
        Clock = clock;
        Backend = provider.GetRequiredKeyedService<IMlopsBackend>("mf");
    }

    public MetaflowFake Fake { get; }

    public WatchedTimeProvider Clock { get; }

    /// <summary>The backend as the application sees it (wrapped by the core's telemetry decorator).</summary>
    public IMlopsBackend Backend { get; }

    public MetaflowMetadataClient Metadata => Backend.GetService<MetaflowMetadataClient>()!;

    public IReadOnlyList<RecordedRequest> Requests => Fake.Server.Requests;

    public static async Task<MetaflowHost> StartAsync(Action<BackendOptions>? configure = null)
    {
        var clock = new WatchedTimeProvider(Start);
        var fake = await MetaflowFake.StartAsync(clock);
        var options = new BackendOptions { Type = "Metaflow", BaseUrl = fake.BaseUri.ToString() };
        // Retry delays run on the manual clock: keep tests single-shot unless a test opts in.
        options.Resilience.MaxRetryAttempts = 0;
        options.Resilience.CircuitFailureRatio = 0;
        options.Settings["User"] = "alice";
        configure?.Invoke(options);
        var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddMlopsGateway(o => o.Backends["mf"] = options)
            .AddMetaflow()
            .Services.BuildServiceProvider();
        return new MetaflowHost(fake, provider, clock);
    }

    /// <summary>Registers a flow with a run through the adapter and returns the run.</summary>
    public async Task<Run> RegisterRunAsync(string flow = "TrainFlow", string? runId = null, IReadOnlyDictionary<string, string>? tags = null)
        => await Metadata.RegisterRunAsync(flow, new RunCreateOptions { RunId = runId, Tags = tags });

    /// <summary>Registers a step (when missing) and a named task in it, returning the task.</summary>
    public async Task<MetaflowTask> RegisterTaskAsync(Run run, string step, string taskName)
    {
        await Metadata.RegisterStepAsync(run.Id, step);
        return await Metadata.RegisterTaskAsync(run.Id, step, taskName);
    }

    /// <summary>
    /// Stops the backend's heartbeats (cancelling a beat in flight) before the services go: the HTTP pipelines' own
    /// disposal waits for requests in flight by sleeping on the injected clock, and nobody advances the manual clock
    /// any more. Each step has a real-time deadline, so a regression fails here instead of hanging the test run.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await Eventually.CompletesAsync(Backend.GetService<MetaflowBackend>()!.DisposeAsync().AsTask(), "stopping the Metaflow heartbeats (a beat in flight is cancelled)");
        await Eventually.CompletesAsync(_provider.DisposeAsync().AsTask(),
            "disposing the gateway's services: Polly waits for requests in flight on the manual clock, so one was still running");
        await Fake.DisposeAsync();
    }
}
