using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using MlopsGateway.Testing;

namespace MlopsGateway.Local.Tests;

public sealed class PipelineTests : IAsyncLifetime
{
    private static readonly WaitOptions s_fastWait = new() { InitialPollInterval = TimeSpan.FromMilliseconds(5), MaxPollInterval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(20) };
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private LocalBackend _backend = null!;

    public Task InitializeAsync()
    {
        _backend = LocalBackend.Open(LocalBackend.InMemoryPath);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    private TaskCompletionSource Gate(string key) => _gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private Task<Run> WaitAsync(Run run) => _backend.Runs.WaitForCompletionAsync(run, s_fastWait);

    [Fact]
    public async Task A_failed_step_skips_the_rest_and_retry_reruns_only_what_did_not_succeed()
    {
        var executions = new ConcurrentQueue<string>();
        _backend.Pipelines.Register("flaky", p => p
            .Step("a", ctx => executions.Enqueue($"a{ctx.Attempt}"))
            .Step("b", ctx =>
            {
                executions.Enqueue($"b{ctx.Attempt}");
                if (ctx.Attempt == 1)
                {
                    throw new InvalidOperationException("disk full");
                }
            })
            .Step("c", ctx => executions.Enqueue($"c{ctx.Attempt}")));

        var run = await _backend.Pipelines.TriggerAsync("flaky");
        var failed = await WaitAsync(run);
        failed.Status.Should().Be(RunStatus.Failed);
        failed.RawStatus.Should().Be("failed");
        var tasks = await _backend.Pipelines.ListTaskRunsAsync(run).ToListAsync();
        tasks.Select(t => (t.Id, t.Status, t.Attempt)).Should().Equal(("a", RunStatus.Succeeded, 1), ("b", RunStatus.Failed, 1), ("c", RunStatus.Skipped, 0));
        (await _backend.Pipelines.ReadTaskLogAsync(run, "b").ToListAsync()).Should().Equal("Step failed: InvalidOperationException: disk full");

        var retried = await _backend.Runs.RetryAsync(run);
        retried.Status.Should().BeOneOf(RunStatus.Queued, RunStatus.Running);
        (await WaitAsync(run)).Status.Should().Be(RunStatus.Succeeded);
        executions.Should().Equal("a1", "b1", "b2", "c1");
        tasks = await _backend.Pipelines.ListTaskRunsAsync(run).ToListAsync();
        tasks.Select(t => (t.Id, t.Status, t.Attempt)).Should().Equal(("a", RunStatus.Succeeded, 1), ("b", RunStatus.Succeeded, 2), ("c", RunStatus.Succeeded, 1));
        (await _backend.Pipelines.ReadTaskLogAsync(run, "b", new TaskLogOptions { Attempt = 1 }).ToListAsync()).Should().ContainSingle();
        (await _backend.Pipelines.ReadTaskLogAsync(run, "b").ToListAsync()).Should().BeEmpty("the latest attempt logged nothing");

        (await _backend.Runs.RetryAsync(run)).Status.Should().Be(RunStatus.Succeeded, "retrying a succeeded run changes nothing");
        executions.Should().HaveCount(4);
    }

    [Fact]
    public async Task Cancel_stops_the_running_step_and_cancels_the_rest()
    {
        var observedCancel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _backend.Pipelines.Register("long", p => p
            .Step("wait", async (ctx, ct) =>
            {
                ctx.Log.WriteLine("waiting");
                Gate(ctx.Run.Id + "/started").TrySetResult();
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    observedCancel.TrySetResult();
                    throw;
                }
            })
            .Step("after", _ => throw new InvalidOperationException("must not run")));

        var run = await _backend.Pipelines.TriggerAsync("long", new TriggerOptions { RunName = "to-cancel" });
        await Gate(run.Id + "/started").Task.WaitAsync(TimeSpan.FromSeconds(10));
        (await _backend.Runs.GetAsync(run)).Status.Should().Be(RunStatus.Running);

        await _backend.Runs.CancelAsync(run);
        (await _backend.Runs.GetAsync(run)).Status.Should().Be(RunStatus.Canceled, "cancel is recorded at once, before the step notices");
        await observedCancel.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => _backend.Pipelines.ListTaskRunsAsync(run).ToListAsync().AsTask().Result.All(t => t.Status == RunStatus.Canceled), "both tasks end Canceled");
        await Eventually.TrueAsync(() => _backend.Pipelines.ReadTaskLogAsync(run, "wait").ToListAsync().AsTask().Result.Contains("Step canceled."), "the step's log says it was cancelled");
        (await _backend.Runs.GetAsync(run)).Status.Should().Be(RunStatus.Canceled);
    }

    [Fact]
    public async Task Following_a_log_tails_a_running_step_until_it_ends()
    {
        _backend.Pipelines.Register("chatty", p => p.Step("talk", async (ctx, ct) =>
        {
            ctx.Log.WriteLine("line 1");
            ctx.Log.Write("line ");
            await Gate(ctx.Run.Id).Task.WaitAsync(ct);
            ctx.Log.Write("2\nline 3");
        }));
        var run = await _backend.Pipelines.TriggerAsync("chatty");

        var lines = new List<string>();
        await using var reader = _backend.Pipelines.ReadTaskLogAsync(run, "talk", new TaskLogOptions { Follow = true, PollInterval = TimeSpan.FromMilliseconds(5) }).GetAsyncEnumerator();
        (await reader.MoveNextAsync()).Should().BeTrue();
        lines.Add(reader.Current);
        Gate(run.Id).TrySetResult();
        while (await reader.MoveNextAsync())
        {
            lines.Add(reader.Current);
        }
        lines.Should().Equal("line 1", "line 2", "line 3");
        (await WaitAsync(run)).Status.Should().Be(RunStatus.Succeeded);
    }

    [Fact]
    public async Task Steps_see_parameters_and_log_through_an_ILogger()
    {
        _backend.Pipelines.Register("params", p =>
        {
            p.Description = "echoes its parameters";
            p.Step("echo", ctx =>
            {
                var epochs = ctx.Parameters["epochs"]!.GetValue<int>();
                ctx.Logger.LogWarning("epochs={Epochs}", epochs);
                ctx.Parameters["epochs"] = 0;
            });
            p.Step("again", ctx => ctx.Log.WriteLine($"epochs still {ctx.Parameters["epochs"]}"));
        });
        var run = await _backend.Pipelines.TriggerAsync("params", new TriggerOptions { Parameters = new() { ["epochs"] = 7, ["name"] = "x" }, Note = "manual" });
        (await WaitAsync(run)).Status.Should().Be(RunStatus.Succeeded);
        (await _backend.Pipelines.ReadTaskLogAsync(run, "echo").ToListAsync()).Should().Equal("[Warning] epochs=7");
        (await _backend.Pipelines.ReadTaskLogAsync(run, "again").ToListAsync()).Should().Equal("epochs still 7");
        var read = await _backend.Runs.GetAsync(run);
        read.Params.Should().Equal(new Dictionary<string, string> { ["epochs"] = "7", ["name"] = "x" });
        read.Tags.Should().Contain("note", "manual");
        (await _backend.Pipelines.GetAsync("params")).Description.Should().Be("echoes its parameters");
    }

    [Fact]
    public async Task A_paused_pipeline_queues_runs_until_resumed()
    {
        _backend.Pipelines.Register("nightly", p => p.Step("work", _ => { }));
        (await _backend.Pipelines.PauseAsync("nightly")).IsPaused.Should().BeTrue();
        var queued = await _backend.Pipelines.TriggerAsync("nightly");
        var canceled = await _backend.Pipelines.TriggerAsync("nightly");
        queued.Status.Should().Be(RunStatus.Queued);
        await _backend.Runs.CancelAsync(canceled);
        (await _backend.Runs.GetAsync(queued)).Status.Should().Be(RunStatus.Queued);
        (await _backend.Pipelines.ListAsync(new PipelineQuery { IsPaused = true }).ToListAsync()).Select(p => p.Id).Should().Equal("nightly");

        (await _backend.Pipelines.ResumeAsync("nightly")).IsPaused.Should().BeFalse();
        (await WaitAsync(queued)).Status.Should().Be(RunStatus.Succeeded);
        (await _backend.Runs.GetAsync(canceled)).Status.Should().Be(RunStatus.Canceled);
    }

    [Fact]
    public async Task Trigger_validates_ids_versions_and_conflicts()
    {
        _backend.Pipelines.Register("v", p => p.Step("one", _ => { }));
        _backend.Pipelines.Register("v", p => p.Step("one", _ => { }).Step("two", _ => { }));
        var versions = await _backend.Pipelines.ListVersionsAsync("v").ToListAsync();
        versions.Select(v => v.Id).Should().Equal("2", "1");
        versions[0].Description.Should().Be("steps: one → two");

        var first = await _backend.Pipelines.TriggerAsync("v", new TriggerOptions { RunId = "manual__2026-01-01T00:00:00+00:00", VersionId = "1" });
        first.Id.Should().Be("manual__2026-01-01T00:00:00+00:00");
        first.PipelineVersionId.Should().Be("1");
        (await WaitAsync(first)).Status.Should().Be(RunStatus.Succeeded);
        (await _backend.Pipelines.ListTaskRunsAsync(first).ToListAsync()).Should().ContainSingle();
        await FluentActions.Awaiting(() => _backend.Pipelines.TriggerAsync("v", new TriggerOptions { RunId = first.Id })).Should().ThrowAsync<MlopsConflictException>();
        await FluentActions.Awaiting(() => _backend.Pipelines.TriggerAsync("v", new TriggerOptions { VersionId = "9" })).Should().ThrowAsync<MlopsNotFoundException>();
        await FluentActions.Awaiting(() => _backend.Pipelines.TriggerAsync("missing")).Should().ThrowAsync<MlopsNotFoundException>();
        FluentActions.Invoking(() => _backend.Pipelines.Register("bad name", p => p.Step("x", _ => { }))).Should().Throw<MlopsValidationException>();
        FluentActions.Invoking(() => _backend.Pipelines.Register("empty", _ => { })).Should().Throw<MlopsValidationException>();
        FluentActions.Invoking(() => _backend.Pipelines.Register("dup", p => p.Step("x", _ => { }).Step("x", _ => { }))).Should().Throw<MlopsValidationException>();

        var tracked = await _backend.Runs.CreateRunAsync((await _backend.Runs.CreateExperimentAsync("t")).Id);
        await FluentActions.Awaiting(() => _backend.Runs.RetryAsync(tracked)).Should().ThrowAsync<MlopsValidationException>();
        await FluentActions.Awaiting(() => _backend.Runs.EndAsync(tracked, RunStatus.Running)).Should().ThrowAsync<MlopsValidationException>();

        await _backend.Pipelines.DeleteVersionAsync("v", "1");
        await _backend.Pipelines.DeleteAsync("v");
        await FluentActions.Awaiting(() => _backend.Pipelines.GetAsync("v")).Should().ThrowAsync<MlopsNotFoundException>();
        (await _backend.Runs.GetAsync(first)).PipelineId.Should().Be("v", "runs outlive their pipeline");
    }

    [Fact]
    public async Task Disposing_the_backend_stops_running_steps_and_fails_their_runs()
    {
        using var dir = new TempDirectory();
        var path = dir.File("stop.db");
        string runId;
        await using (var backend = LocalBackend.Open(path))
        {
            backend.Pipelines.Register("forever", p => p.Step("spin", async (ctx, ct) =>
            {
                Gate(ctx.Run.Id).TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }));
            var run = await backend.Pipelines.TriggerAsync("forever");
            runId = run.Id;
            await Gate(runId).Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        await using var reopened = LocalBackend.Open(path);
        var stopped = await reopened.Runs.GetAsync(runId);
        stopped.Status.Should().Be(RunStatus.Failed);
        (await reopened.Pipelines.ReadTaskLogAsync(stopped, "spin").ToListAsync()).Should().Equal("Step stopped: the Local backend was disposed.");
    }
}
