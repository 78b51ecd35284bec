using System.Text.Json.Nodes;
using MlopsGateway.Airflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>
/// The adapter's whole surface as one scenario (filters, pause, trigger with conf and a repeated run id,
/// wait, task runs and logs, failure, retry and the retried task's tries, cancel, listings, delete, errors, health), run by each
/// dialect's conformance class against its fixture's fake — behind prism proxy on the official spec.
/// </summary>
public static class AdapterScenario
{
    public static async Task RunAsync(IMlopsBackend backend, AirflowFake fake, string dagPrefix)
    {
        var train = dagPrefix + "train";
        var fails = dagPrefix + "fails";
        fake.AddDag(train, ["prepare", "fit"], tags: ["ml", "nightly"], schedule: "0 3 * * *");
        fake.AddDag(fails, ["boom", "after"], tags: ["ml"], failingTask: "boom");

        var dags = await backend.Pipelines.ListAsync(new PipelineQuery { NameContains = dagPrefix, Tags = ["ml"], IsPaused = false, PageSize = 1 }).ToListAsync();
        dags.Select(d => d.Id).Should().Equal(fails, train);
        var dag = await backend.Pipelines.GetAsync(train);
        dag.Schedule.Should().NotBeNull();
        dag.NextRunAt.Should().NotBeNull();
        (await backend.Pipelines.PauseAsync(train)).IsPaused.Should().BeTrue();
        (await backend.Pipelines.ResumeAsync(train)).IsPaused.Should().BeFalse();

        var run = await backend.Pipelines.TriggerAsync(train, new TriggerOptions
        {
            RunId = "manual__2026-11-22T10:00:00+00:00",
            Parameters = new JsonObject { ["lr"] = 0.01, ["layers"] = new JsonArray(64, 32) },
            Note = "through prism",
        });
        var again = await backend.Pipelines.TriggerAsync(train, new TriggerOptions { RunId = run.Name });
        again.Id.Should().Be(run.Id, "409 on a repeated run id returns the existing run");
        var fast = new WaitOptions { InitialPollInterval = TimeSpan.FromMilliseconds(1), MaxPollInterval = TimeSpan.FromMilliseconds(5), Timeout = TimeSpan.FromSeconds(30) };
        fake.CompleteRun(train, run.Name!, succeed: true);
        var done = await backend.Runs.WaitForCompletionAsync(run, fast);
        done.Status.Should().Be(RunStatus.Succeeded);
        done.Params["layers"].Should().Be("[64,32]");

        var tasks = await backend.Pipelines.ListTaskRunsAsync(done).ToListAsync();
        tasks.Should().OnlyContain(t => t.Status == RunStatus.Succeeded && t.Attempt == 1);
        var log = await backend.Pipelines.ReadTaskLogAsync(done, "fit", new TaskLogOptions { Follow = true, PollInterval = TimeSpan.FromMilliseconds(1) }).ToListAsync();
        log.Should().Contain("[fake] Task exited with return code 0");

        var failing = await backend.Pipelines.TriggerAsync(fails);
        fake.CompleteRun(fails, failing.Name!, succeed: false);
        (await backend.Runs.WaitForCompletionAsync(failing, fast)).Status.Should().Be(RunStatus.Failed);
        var failedTasks = await backend.Pipelines.ListTaskRunsAsync(failing).ToListAsync();
        failedTasks.Select(t => t.RawStatus).Should().Equal("failed", "upstream_failed");

        var retried = await backend.Runs.RetryAsync(failing);
        retried.Status.Should().Be(RunStatus.Queued);
        fake.CompleteRun(fails, failing.Name!, succeed: false);
        var tries = await backend.GetService<AirflowTaskTries>()!.ListAsync(failing, "boom");
        tries.Select(t => (t.Attempt, t.Status)).Should().Equal((1, RunStatus.Failed), (2, RunStatus.Failed));
        var toCancel = await backend.Pipelines.TriggerAsync(train, new TriggerOptions { RunId = "to:cancel+1" });
        await backend.Runs.CancelAsync(toCancel);
        (await backend.Runs.GetAsync(toCancel)).Status.Should().Be(RunStatus.Failed);

        var failedRuns = await backend.Runs.ListAsync(new RunQuery { Statuses = [RunStatus.Failed], OrderBy = [new RunOrdering(RunSortField.EndTime)] }).ToListAsync();
        failedRuns.Should().Contain(r => r.Id == toCancel.Id);
        var ofTrain = await backend.Runs.ListAsync(new RunQuery { PipelineId = train, PageSize = 1 }).ToListAsync();
        ofTrain.Should().HaveCount(2);

        await backend.Runs.DeleteAsync(toCancel);
        await FluentActions.Awaiting(() => backend.Runs.GetAsync(toCancel)).Should().ThrowAsync<MlopsNotFoundException>();
        await FluentActions.Awaiting(() => backend.Pipelines.GetAsync(dagPrefix + "missing")).Should().ThrowAsync<MlopsNotFoundException>();
        (await backend.CheckHealthAsync()).IsHealthy.Should().BeTrue();
    }

    /// <summary>Asserts Prism flagged nothing in the recorded traffic (no violation, no 422, no 5xx).</summary>
    public static void AssertClean(PrismTraffic traffic)
    {
        traffic.Exchanges.Should().HaveCountGreaterThan(20);
        foreach (var e in traffic.Exchanges)
        {
            e.Violations.Should().BeEmpty(e.ToString());
            e.Status.Should().NotBe(422, e.ToString()).And.BeLessThan(500, e.ToString());
        }
    }
}
