using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Metaflow.Tests.Fake;
using MlopsGateway.Testing;
using Xunit.Abstractions;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>The soak runs alone, on the real clock (injected timeouts must expire).</summary>
[CollectionDefinition(nameof(SoakCollection), DisableParallelization = true)]
public sealed class SoakCollection;

/// <summary>
/// Metaflow takes no metrics (capability <c>Metrics</c> is off), so an ActiveRun batches only its tags: the ordered
/// lane, one <c>tag/mutate</c> per batch, a repeated key starting the next one. The soak re-writes 100 tags in 60
/// rounds (60 mutations) while the fake fails 5% of the mutations (503, reset before the answer, an answer later
/// than the attempt timeout): every tag ends with its last value, the run finishes and the buffer stays bounded.
/// </summary>
[Collection(nameof(SoakCollection))]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int Keys = 100;
    private const int Rounds = 60;
    private const int BufferCapacity = 1_000;

    [Fact]
    public async Task An_active_run_rewrites_its_tags_through_injected_faults_and_keeps_the_last_values()
    {
        var faults = new InjectedFaults(rate: 0.05, stall: TimeSpan.FromSeconds(5));
        output.WriteLine($"soak: {faults.Describe()}");
        await using var fake = await MetaflowFake.StartAsync(TimeProvider.System);
        fake.Server.Route("PATCH", "/flows/{flow}/runs/{run}/tag/mutate", r => faults.ServeAsync(r, fake.HandleAsync, fake.Server.Stopping));
        var options = new BackendOptions { Type = "Metaflow", BaseUrl = fake.BaseUri.ToString() };
        options.Settings["User"] = "alice";
        options.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        options.Resilience.TotalTimeout = TimeSpan.FromSeconds(30);
        options.Resilience.MaxRetryAttempts = 6;
        options.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
        options.Resilience.MaxDelay = TimeSpan.FromMilliseconds(20);
        await using var provider = new ServiceCollection().AddMlopsGateway(o => o.Backends["mf"] = options).AddMetaflow().Services.BuildServiceProvider();
        var backend = provider.GetRequiredKeyedService<IMlopsBackend>("mf");
        var peakPending = 0;
        string? runId = null;
        // A bound on the whole soak, not a speed check: a hang fails the run instead of the suite.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        var ended = await backend.Runs.RunAsync("SoakFlow", new RunStartOptions { BufferCapacity = BufferCapacity }, async (run, ct) =>
        {
            runId = run.Id;
            for (var round = 0; round < Rounds; round++)
            {
                for (var k = 0; k < Keys; k++)
                {
                    await run.SetTagAsync($"k{k}", $"round-{round}", ct);
                    peakPending = Math.Max(peakPending, run.PendingCount);
                }
            }
        }, deadline.Token);

        output.WriteLine($"soak: {faults.Describe()}; peak buffered {peakPending}");
        ended.Status.Should().Be(RunStatus.Succeeded);
        faults.Counts.Should().ContainKeys(InjectedFault.Unavailable, InjectedFault.Reset, InjectedFault.Timeout);
        var stored = await backend.Runs.GetAsync(runId!);
        stored.Status.Should().Be(RunStatus.Succeeded);
        for (var k = 0; k < Keys; k++)
        {
            stored.Tags.Should().Contain($"k{k}", $"round-{Rounds - 1}", "the last write of each key wins, through every retry (seed {0})", faults.Seed);
        }
        stored.Tags.Keys.Where(key => key.StartsWith('k')).Should().HaveCount(Keys, "one value per key, no stale writes left behind");
        peakPending.Should().BeLessThanOrEqualTo(BufferCapacity, "the buffer is bounded: SetTagAsync waits for room");
    }
}
