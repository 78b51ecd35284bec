using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests;

public sealed class RunLoggingHelperTests
{
    private static (ServiceProvider Sp, IMlopsBackend Backend, MemoryRunClient Store) Build(TimeProvider? time = null)
    {
        var sp = TestGateway.Build(o => o.Backends["mem"] = new BackendOptions { Type = "Memory" }, time);
        var backend = sp.GetRequiredService<IMlopsBackend>();
        return (sp, backend, backend.GetService<MemoryBackend>()!.Store);
    }

    private static readonly RunStartOptions NoInterval = new() { FlushInterval = TimeSpan.Zero };

    [Fact]
    public async Task RunAsync_ends_succeeded_with_everything_logged()
    {
        var (sp, backend, store) = Build();
        await using var _ = sp;
        var run = await backend.Runs.RunAsync("mnist", new RunStartOptions { Name = "cnn" }, async (r, ct) =>
        {
            r.LogParam("lr", 0.01);
            r.LogParam("layers", 3);
            r.LogParam("activation", "relu");
            for (var epoch = 0; epoch < 10; epoch++)
            {
                r.LogMetric("loss", 1.0 / (epoch + 1), step: epoch);
            }
            await Task.Yield();
        });

        run.Status.Should().Be(RunStatus.Succeeded);
        run.Name.Should().Be("cnn");
        store.Batches.SelectMany(b => b.Params).Select(p => $"{p.Key}={p.Value}").Should().Equal("lr=0.01", "layers=3", "activation=relu");
        store.Batches.SelectMany(b => b.Metrics).Select(m => m.Step).Should().BeEquivalentTo(Enumerable.Range(0, 10));
    }

    [Fact]
    public async Task RunAsync_ends_failed_and_rethrows_when_the_body_throws()
    {
        var (sp, backend, store) = Build();
        await using var _ = sp;
        var act = () => backend.Runs.RunAsync("mnist", NoInterval, (r, ct) =>
        {
            r.LogMetric("loss", 0.5);
            throw new InvalidOperationException("diverged");
        });
        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("diverged");
        store.AllRuns.Values.Should().ContainSingle().Which.Status.Should().Be(RunStatus.Failed);
        store.Batches.SelectMany(b => b.Metrics).Should().ContainSingle("what was logged before the failure is still sent");
    }

    [Fact]
    public async Task When_both_the_body_and_the_flush_fail_neither_error_is_hidden()
    {
        var (sp, backend, store) = Build();
        await using var _ = sp;
        store.OnLogBatch = (_, _) => throw new MlopsUnavailableException("server down");
        var act = () => backend.Runs.RunAsync("exp", NoInterval, (r, _) =>
        {
            r.LogMetric("m", 1);
            throw new InvalidOperationException("diverged");
        });
        var ex = (await act.Should().ThrowAsync<AggregateException>()).Which;
        ex.InnerExceptions.Select(e => e.Message).Should().Equal("diverged", "server down");
        store.AllRuns.Values.Should().ContainSingle().Which.Status.Should().Be(RunStatus.Failed);
    }

    [Theory]
    [InlineData(true, RunStatus.Succeeded)]
    [InlineData(false, RunStatus.Failed)]
    public async Task Dispose_ends_succeeded_only_after_complete(bool complete, RunStatus expected)
    {
        var (sp, backend, _) = Build();
        await using var __ = sp;
        var run = await backend.Runs.StartAsync("exp", NoInterval);
        await using (run)
        {
            run.LogMetric("m", 1);
            if (complete)
            {
                run.Complete();
            }
        }
        run.FinalRun!.Status.Should().Be(expected);
    }

    [Fact]
    public async Task Metrics_go_in_batches_of_the_backends_limit()
    {
        var (sp, backend, store) = Build();
        await using var _ = sp;
        var run = await backend.Runs.StartAsync("exp", NoInterval);
        await using (run)
        {
            for (var i = 0; i < 2500; i++)
            {
                await run.LogMetricAsync("m", i, step: i);
            }
            run.Complete();
        }
        store.Batches.Select(b => b.Metrics.Count).Should().BeEquivalentTo([1000, 1000, 500]);
        store.Batches.SelectMany(b => b.Metrics).Select(m => m.Step).Should().BeEquivalentTo(Enumerable.Range(0, 2500));
    }

    [Fact]
    public async Task Disposing_while_a_background_flush_is_in_flight_loses_nothing()
    {
        var (sp, backend, store) = Build();
        await using var _ = sp;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = 0;
        store.OnLogBatch = async (_, ct) =>
        {
            Interlocked.Increment(ref inFlight);
            await gate.Task.WaitAsync(ct);
        };
        var run = await backend.Runs.StartAsync("exp", NoInterval);
        for (var i = 0; i < 1500; i++)
        {
            run.LogMetric("m", i, step: i);
        }
        await Eventually.TrueAsync(() => Volatile.Read(ref inFlight) == 1, "the first full batch is being sent in the background");
        run.Complete();
        var disposing = run.DisposeAsync().AsTask();
        gate.SetResult();
        await disposing;

        store.Batches.SelectMany(b => b.Metrics).Should().HaveCount(1500);
        run.FinalRun!.Status.Should().Be(RunStatus.Succeeded);
    }

    [Fact]
    public async Task Tags_and_params_keep_their_order_so_the_last_write_wins()
    {
        var (sp, backend, store) = Build();
        await using var _ = sp;
        var run = await backend.Runs.StartAsync("exp", NoInterval);
        await using (run)
        {
            run.SetTag("phase", "train");
            run.SetTag("owner", "ana");
            run.SetTag("phase", "eval");
            run.Complete();
        }
        store.TagWrites.Select(t => $"{t.Key}={t.Value}").Should().Equal("phase=train", "owner=ana", "phase=eval");
        store.Batches.Should().OnlyContain(b => b.Tags.Select(t => t.Key).Distinct().Count() == b.Tags.Count, "a request never carries a key twice");
    }

    [Fact]
    public async Task A_full_buffer_throws_synchronously_and_async_logging_waits_for_room()
    {
        var (sp, backend, store) = Build();
        await using var _ = sp;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.OnLogBatch = (_, ct) => gate.Task.WaitAsync(ct);
        var run = await backend.Runs.StartAsync("exp", NoInterval with { BufferCapacity = 3 });
        await using (run)
        {
            run.LogMetric("m", 1);
            run.LogMetric("m", 2);
            run.LogMetric("m", 3);
            run.Invoking(r => r.LogMetric("m", 4)).Should().Throw<MlopsBufferFullException>().WithMessage("*full (3 values)*Log*Async*");

            var waiting = run.LogMetricAsync("m", 4).AsTask();
            await Eventually.TrueAsync(() => store.OnLogBatch is not null && backend.GetService<MemoryBackend>()!.Calls.Any(c => c.StartsWith("LogBatch", StringComparison.Ordinal)),
                "the waiting writer makes the buffer flush");
            waiting.IsCompleted.Should().BeFalse("the flush is still in flight");
            gate.SetResult();
            await waiting;
            run.Complete();
        }
        store.Batches.SelectMany(b => b.Metrics).Select(m => m.Value).Should().BeEquivalentTo([1.0, 2, 3, 4]);
    }

    [Fact]
    public async Task A_failed_flush_is_rethrown_from_the_next_call_and_the_run_ends_failed()
    {
        var (sp, backend, store) = Build();
        await using var _ = sp;
        store.OnLogBatch = (_, _) => throw new MlopsUnavailableException("server down");
        var run = await backend.Runs.StartAsync("exp", NoInterval);
        run.LogMetric("m", 1);
        await run.Invoking(r => r.FlushAsync()).Should().ThrowAsync<MlopsUnavailableException>().WithMessage("server down");
        run.Invoking(r => r.LogMetric("m", 2)).Should().Throw<MlopsUnavailableException>();
        run.Complete();
        await run.Invoking(r => r.DisposeAsync().AsTask()).Should().ThrowAsync<MlopsUnavailableException>();
        run.FinalRun!.Status.Should().Be(RunStatus.Failed, "a run whose data could not all be sent never reads Succeeded");
    }

    [Fact]
    public async Task Interval_flushing_sends_partial_batches_on_the_injected_clock()
    {
        var clock = new WatchedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var (sp, backend, store) = Build(clock);
        await using var _ = sp;
        var run = await backend.Runs.StartAsync("exp", new RunStartOptions { FlushInterval = TimeSpan.FromSeconds(5) });
        await using (run)
        {
            run.LogMetric("m", 1);
            run.LogParam("p", "v");
            await Eventually.TrueAsync(() => clock.PendingDelays.Contains(TimeSpan.FromSeconds(5)), "the flush timer is armed");
            store.Batches.Should().BeEmpty();
            clock.Advance(TimeSpan.FromSeconds(5));
            await Eventually.TrueAsync(() => store.Batches.Count == 2, "the interval flush sends the lane and the metrics");
            run.Complete();
        }
    }

    [Fact]
    public async Task Values_the_server_would_truncate_are_rejected_when_logged()
    {
        var (sp, backend, _) = Build();
        await using var __ = sp;
        var run = await backend.Runs.StartAsync("exp", NoInterval);
        await using (run)
        {
            run.Invoking(r => r.LogParam("p", new string('x', 6001))).Should().Throw<MlopsValidationException>()
                .WithMessage("*param 'p' value is 6001 characters; the backend allows at most 6000*");
            run.Invoking(r => r.SetTag(new string('k', 251), "v")).Should().Throw<MlopsValidationException>().WithMessage("*at most 250*");
            run.Complete();
        }
    }

    [Fact]
    public async Task An_existing_experiment_is_reused_and_a_deleted_one_is_a_conflict()
    {
        var (sp, backend, store) = Build();
        await using var _ = sp;
        var first = await backend.Runs.RunAsync("shared", NoInterval, (_, _) => Task.CompletedTask);
        var second = await backend.Runs.RunAsync("shared", NoInterval, (_, _) => Task.CompletedTask);
        second.ExperimentId.Should().Be(first.ExperimentId);

        store.AddDeletedExperiment("gone");
        var act = () => backend.Runs.StartAsync("gone");
        (await act.Should().ThrowAsync<MlopsConflictException>()).Which.Message.Should().Contain("is deleted; restore it");
    }

    [Fact]
    public async Task Params_are_formatted_by_the_one_rule()
    {
        ParamFormatter.Format(0.1 + 0.2).Should().Be("0.30000000000000004");
        ParamFormatter.Format(true).Should().Be("true");
        ParamFormatter.Format(new System.Text.Json.Nodes.JsonObject { ["a"] = 1 }).Should().Be("""{"a":1}""");
        ParamFormatter.FormatAll(System.Text.Json.Nodes.JsonNode.Parse("""{"s":"x","n":1.5,"l":[1,2],"o":null}""")!.AsObject())
            .Should().Equal(new Dictionary<string, string> { ["s"] = "x", ["n"] = "1.5", ["l"] = "[1,2]", ["o"] = "null" });
        await Task.CompletedTask;
    }
}
