using Microsoft.Extensions.Time.Testing;
using MlopsGateway.Conformance;
using MlopsGateway.Metaflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>
/// The Metaflow backend against the stateful metadata-service fake. Runs are registered (flow = scope);
/// a run is completed the way Metaflow completes one: a <c>start</c> task with its attempt result, then the
/// <c>end</c> step's <c>attempt_ok</c>. The fixture asks for listed runs' status (setting <c>ResolveListStatus</c>).
/// </summary>
public sealed class MetaflowConformanceFixture : ConformanceFixture
{
    private readonly FakeTimeProvider _clock = new(MetaflowHost.Start);
    private MetaflowFake? _fake;

    public override TimeProvider Time => _clock;

    public override long RequestCount => _fake?.Server.Requests.Count ?? 0;

    private MetaflowMetadataClient Metadata => Backend.GetService<MetaflowMetadataClient>()!;

    protected override async Task StartBackendAsync() => _fake = await MetaflowFake.StartAsync(_clock);

    protected override async Task StopBackendAsync()
    {
        if (_fake is not null)
        {
            await _fake.DisposeAsync();
        }
    }

    /// <summary>Runs a scenario registered and never ended keep beating; the beats stop before the services go.</summary>
    protected override Task StopBackgroundWorkAsync() => Backend.GetService<MetaflowBackend>()!.DisposeAsync().AsTask();

    protected override BackendOptions CreateBackendOptions()
    {
        var options = new BackendOptions { Type = "Metaflow", BaseUrl = _fake!.BaseUri.ToString() };
        options.Settings["User"] = "conformance";
        options.Settings["ResolveListStatus"] = "true";
        // Backoff runs on the manual clock; the scenarios test behaviour, not retries.
        options.Resilience.MaxRetryAttempts = 0;
        options.Resilience.CircuitFailureRatio = 0;
        return options;
    }

    protected override void RegisterBackendType(MlopsGatewayBuilder builder) => builder.AddMetaflow();

    public override async Task<string?> SeedPipelineAsync(string name, CancellationToken cancellationToken = default)
        => (await Metadata.RegisterFlowAsync(name, cancellationToken)).Id;

    public override Task<Run> CreateRunForTestAsync(string scope, CancellationToken cancellationToken = default)
        => Metadata.RegisterRunAsync(scope, null, cancellationToken);

    public override async Task CompleteRunAsync(Run run, RunStatus outcome, CancellationToken cancellationToken = default)
    {
        await Metadata.RegisterStepAsync(run.Id, "start", cancellationToken);
        var task = await Metadata.RegisterTaskAsync(run.Id, "start", "start-task", cancellationToken);
        await Metadata.AddMetadataAsync(run.Id, "start", task.TaskId,
        [
            new("attempt", "0", "attempt", 0),
            new("attempt_ok", outcome == RunStatus.Succeeded ? "True" : "False", "internal_attempt_status", 0),
            new("attempt-done", "0", "attempt-done", 0),
        ], cancellationToken);
        await Backend.Runs.EndAsync(run, outcome, cancellationToken);
    }
}

/// <summary>The backend-neutral scenarios on Metaflow.</summary>
public sealed class MetaflowConformance(MetaflowConformanceFixture fixture) : ConformanceSuite<MetaflowConformanceFixture>(fixture);
