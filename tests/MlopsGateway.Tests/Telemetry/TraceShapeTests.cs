using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Airflow;
using MlopsGateway.Testing;

namespace MlopsGateway.Tests.Telemetry;

/// <summary>
/// The trace shape made for people (issue 12): one trace per tracked run, with a <c>Runs.Run</c> span holding the
/// start, every flush (background ones too), the caller's uploads and the end; <c>Runs.WaitForCompletion</c> as one
/// span with progress as events; trigger-and-wait as one trace.
/// </summary>
public sealed class TraceShapeTests
{
    [Fact]
    public async Task RunAsync_is_one_trace_whose_run_span_holds_start_flushes_uploads_and_end()
    {
        var clock = new WatchedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var gateway = await TracedGateway.StartAsync(time: clock);
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);
        Activity.Current = null; // like a console app's Main: no span of the caller's own

        var ended = await backend.Runs.RunAsync("mnist", new RunStartOptions { FlushInterval = TimeSpan.FromSeconds(1) }, async (run, ct) =>
        {
            run.LogParam("lr", 0.01);
            run.LogMetric("loss", 0.5, step: 0);
            await Eventually.TrueAsync(() => clock.PendingDelays.Contains(TimeSpan.FromSeconds(1)), "the flush timer is armed");
            clock.Advance(TimeSpan.FromSeconds(1));
            await Eventually.TrueAsync(() => spans.ForServerPort(server.BaseUri.Port).Any(a => a.DisplayName == "Runs.Flush"), "the background flush ends");
            run.LogMetric("loss", 0.4, step: 1);
            using var weights = new MemoryStream([1, 2, 3]);
            await backend.Runs.UploadArtifactAsync(run.Run, "model/weights.bin", weights, ct);
        });

        var runSpan = spans.ForServerPort(server.BaseUri.Port).Should().ContainSingle(a => a.DisplayName == "Runs.Run").Which;
        runSpan.ParentSpanId.Should().Be(default(ActivitySpanId), "the run is the root of its trace");
        runSpan.GetTagItem("mlops.run.id").Should().Be(ended.Id);
        runSpan.GetTagItem("mlops.experiment.name").Should().Be("mnist");
        runSpan.GetTagItem("mlops.run.status").Should().Be("Succeeded");
        runSpan.GetTagItem("server.port").Should().Be(server.BaseUri.Port);
        runSpan.Status.Should().Be(ActivityStatusCode.Unset);

        var trace = spans.InTrace(runSpan.TraceId);
        var children = trace.Where(a => a.ParentSpanId == runSpan.SpanId).OrderBy(a => a.StartTimeUtc).Select(a => a.DisplayName);
        children.Should().Equal("Runs.Start", "Runs.Flush", "Runs.UploadArtifact", "Runs.Flush", "Runs.End");
        var operations = trace.Where(a => a.Source.Name == "MlopsGateway").ToList();
        var http = trace.Where(a => a.Source.Name == "System.Net.Http").ToList();
        http.Should().NotBeEmpty().And.OnlyContain(a => operations.Any(o => o.SpanId == a.ParentSpanId), "every request sits under an operation span");
        spans.ForServerPort(server.BaseUri.Port).Should().OnlyContain(a => a.TraceId == runSpan.TraceId, "one trace per run");
    }

    [Fact]
    public async Task An_await_using_run_is_the_current_span_until_it_is_disposed()
    {
        await using var gateway = await TracedGateway.StartAsync();
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);
        using var root = ExportedSpans.StartTestRoot();

        Activity? during;
        await using (var run = await backend.Runs.StartAsync("exp"))
        {
            during = Activity.Current;
            using var file = new MemoryStream([42]);
            await backend.Runs.UploadArtifactAsync(run.Run, "notes.txt", file);
            run.Complete();
        }

        Activity.Current.Should().BeSameAs(root, "disposing the run hands the caller its span back");
        during!.DisplayName.Should().Be("Runs.Run");
        during.ParentSpanId.Should().Be(root.SpanId);
        spans.InTrace(root.TraceId).Where(a => a.ParentSpanId == during.SpanId).OrderBy(a => a.StartTimeUtc).Select(a => a.DisplayName)
            .Should().Equal("Runs.Start", "Runs.UploadArtifact", "Runs.End");
    }

    [Fact]
    public async Task A_run_that_fails_says_why_on_its_span()
    {
        await using var gateway = await TracedGateway.StartAsync();
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);
        using var root = ExportedSpans.StartTestRoot();

        await backend.Runs.Invoking(r => r.RunAsync("exp", null, (_, _) => throw new InvalidOperationException("diverged")))
            .Should().ThrowAsync<InvalidOperationException>();
        await using (await backend.Runs.StartAsync("exp"))
        {
            // disposed without Complete()
        }

        var runs = spans.InTrace(root.TraceId).Where(a => a.DisplayName == "Runs.Run").OrderBy(a => a.StartTimeUtc).ToList();
        runs.Should().HaveCount(2);
        runs.Should().OnlyContain(a => a.Status == ActivityStatusCode.Error && (string?)a.GetTagItem("mlops.run.status") == "Failed");
        runs[0].GetTagItem("error.type").Should().Be(nameof(InvalidOperationException));
        runs[1].StatusDescription.Should().Contain("Complete()");
    }

    [Fact]
    public async Task Starting_a_run_where_tracking_is_unsupported_leaves_the_callers_span_current()
    {
        await using var gateway = await TracedGateway.StartAsync(_ => { });
        var spans = gateway.Spans;
        var noTracking = new ServiceCollection();
        noTracking.AddMlopsGateway(o => o.Backends["airflow"] = new BackendOptions { Type = "Airflow", BaseUrl = gateway.Server.BaseUri.ToString() }).AddAirflow();
        await using var sp = noTracking.BuildServiceProvider();
        using var root = ExportedSpans.StartTestRoot();

        await sp.GetRequiredService<IMlopsBackend>().Runs.Invoking(r => r.StartAsync("exp")).Should().ThrowAsync<MlopsNotSupportedException>();

        Activity.Current.Should().BeSameAs(root);
        spans.InTrace(root.TraceId).Select(a => a.DisplayName).Should().Equal("Runs.Start");
        gateway.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Waiting_is_one_span_with_each_status_change_as_an_event()
    {
        var states = new Queue<string>(["queued", "running", "running", "done"]);
        await using var gateway = await TracedGateway.StartAsync(server => server.Route("GET", "/runs/{id}", r =>
        {
            lock (states)
            {
                return FakeResponse.JsonText(200, $$"""{"id":"{{r.Route("id")}}","status":"{{(states.Count > 1 ? states.Dequeue() : states.Peek())}}"}""");
            }
        }));
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);
        using var root = ExportedSpans.StartTestRoot();
        var seen = new List<RunStatus>();

        var done = await backend.Runs.WaitForCompletionAsync("r1",
            new WaitOptions { InitialPollInterval = TimeSpan.FromMilliseconds(1), MaxPollInterval = TimeSpan.FromMilliseconds(2) },
            new SynchronousProgress(run => seen.Add(run.Status)));

        done.Status.Should().Be(RunStatus.Succeeded);
        seen.Should().Equal(RunStatus.Queued, RunStatus.Running, RunStatus.Running, RunStatus.Succeeded);
        var trace = spans.InTrace(root.TraceId);
        var wait = trace.Should().ContainSingle(a => a.Source.Name == "MlopsGateway").Which;
        wait.DisplayName.Should().Be("Runs.WaitForCompletion");
        wait.GetTagItem("mlops.wait.polls").Should().Be(4);
        wait.Events.Select(e => (e.Name, e.Tags.Single(t => t.Key == "mlops.run.status").Value))
            .Should().Equal(("mlops.run.progress", "Queued"), ("mlops.run.progress", "Running"), ("mlops.run.progress", "Succeeded"));
        trace.Where(a => a.Source.Name == "System.Net.Http").Should().HaveCount(4).And.OnlyContain(a => a.ParentSpanId == wait.SpanId);
    }

    [Fact]
    public async Task Trigger_and_wait_is_one_trace()
    {
        await using var gateway = await TracedGateway.StartAsync(server => server
            .Route("POST", "/pipelines/{id}/trigger", _ => FakeResponse.JsonText(200, """{"id":"train/run-1","status":"queued"}"""))
            .Route("GET", "/runs/{**id}", r => FakeResponse.JsonText(200, $$"""{"id":"{{r.Route("id")}}","status":"done"}""")));
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);
        Activity.Current = null;

        var run = await backend.Pipelines.TriggerAsync("train");
        await backend.Runs.WaitForCompletionAsync(run);

        var mine = spans.ForServerPort(server.BaseUri.Port);
        var trigger = mine.Should().ContainSingle(a => a.DisplayName == "Pipelines.Trigger").Which;
        var wait = mine.Should().ContainSingle(a => a.DisplayName == "Runs.WaitForCompletion").Which;
        wait.TraceId.Should().Be(trigger.TraceId);
        wait.ParentSpanId.Should().Be(trigger.SpanId);
    }

    [Fact]
    public async Task Sub_clients_asked_for_through_GetService_are_instrumented_too()
    {
        await using var gateway = await TracedGateway.StartAsync();
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);
        using var root = ExportedSpans.StartTestRoot();

        await backend.GetRequiredService<IRunClient>().GetAsync("r1");

        spans.InTrace(root.TraceId).Should().ContainSingle(a => a.DisplayName == "Runs.Get");
    }

    private sealed class SynchronousProgress(Action<Run> report) : IProgress<Run>
    {
        public void Report(Run value) => report(value);
    }
}
