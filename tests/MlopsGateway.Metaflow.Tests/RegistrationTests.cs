namespace MlopsGateway.Metaflow.Tests;

/// <summary>Runs.StartAsync on Metaflow is registration: experiment name = flow, caller run id = string run id.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task Start_registers_the_flow_and_run_and_complete_ends_it_succeeded()
    {
        await using var host = await MetaflowHost.StartAsync();
        Run final;
        await using (var active = await host.Backend.Runs.StartAsync("ScoreFlow", new RunStartOptions { RunId = "argo-score-1", FlushInterval = TimeSpan.Zero }))
        {
            active.Run.Id.Should().Be("ScoreFlow/argo-score-1");
            active.Run.Status.Should().Be(RunStatus.Running);
            active.SetTag("reviewed", "");
            await active.FlushAsync();
            active.Complete();
            await active.DisposeAsync();
            final = active.FinalRun!;
        }
        final.Status.Should().Be(RunStatus.Succeeded);
        final.Tags.Should().ContainKey("reviewed");
        host.Requests.Select(r => $"{r.Method} {r.Path}").Should().StartWith(
            ["POST /flows/ScoreFlow", "POST /flows/ScoreFlow/run", "POST /flows/ScoreFlow/runs/argo-score-1/heartbeat"]);
        host.Backend.GetService<MetaflowBackend>()!.Heartbeats.Active.Should().Be(0, "ending the run stops its heartbeat");
    }

    [Fact]
    public async Task A_run_disposed_without_complete_ends_failed()
    {
        await using var host = await MetaflowHost.StartAsync();
        var act = () => host.Backend.Runs.RunAsync("ScoreFlow", new RunStartOptions { RunId = "argo-boom", FlushInterval = TimeSpan.Zero },
            (_, _) => throw new InvalidOperationException("boom"));
        await act.Should().ThrowAsync<InvalidOperationException>();
        (await host.Backend.Runs.GetAsync("ScoreFlow/argo-boom")).Status.Should().Be(RunStatus.Failed);
    }

    [Fact]
    public async Task Metrics_logged_to_a_metaflow_run_fail_the_flush_rather_than_vanish()
    {
        await using var host = await MetaflowHost.StartAsync();
        var active = await host.Backend.Runs.StartAsync("ScoreFlow", new RunStartOptions { RunId = "argo-m", FlushInterval = TimeSpan.Zero });
        active.LogMetric("loss", 0.5);
        var flush = () => active.FlushAsync();
        await flush.Should().ThrowAsync<MlopsNotSupportedException>();
        var dispose = async () => await active.DisposeAsync();
        await dispose.Should().ThrowAsync<MlopsNotSupportedException>();
    }
}
