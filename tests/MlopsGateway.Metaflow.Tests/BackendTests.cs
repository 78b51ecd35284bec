using System.Text.Json.Nodes;
using MlopsGateway.Metaflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>The backend's neutral operations against the stateful fake: exact wire traffic and mapping.</summary>
public sealed class BackendTests
{
    [Fact]
    public async Task Registration_creates_flow_and_string_id_run_and_keeps_it_beating()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-train-1", new Dictionary<string, string> { ["team:ml"] = "" });

        run.Id.Should().Be("TrainFlow/argo-train-1");
        run.Status.Should().Be(RunStatus.Running);
        run.Tags.Should().Equal(new Dictionary<string, string> { ["team:ml"] = "" });
        run.SystemTags.Should().Contain("user:alice");
        host.Requests.Select(r => $"{r.Method} {r.Path}").Should().Equal(
            "POST /flows/TrainFlow", "POST /flows/TrainFlow/run", "POST /flows/TrainFlow/runs/argo-train-1/heartbeat");
        var body = JsonNode.Parse(host.Requests[1].Body!)!;
        body["run_number"]!.GetValue<string>().Should().Be("argo-train-1");
        body["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("team:ml");

        host.Clock.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => host.Requests.Count(r => r.Path.EndsWith("/heartbeat")) == 2, "the registered run beats every 10 s");
        var read = await host.Backend.Runs.GetAsync(run);
        read.Status.Should().Be(RunStatus.Running);
    }

    [Fact]
    public async Task A_retried_registration_meets_409_and_returns_the_existing_run()
    {
        await using var host = await MetaflowHost.StartAsync();
        var first = await host.RegisterRunAsync("TrainFlow", "argo-1");
        var second = await host.RegisterRunAsync("TrainFlow", "argo-1");
        second.Id.Should().Be(first.Id);
        host.Requests.Count(r => r.Method == "POST" && r.Path == "/flows/TrainFlow/run").Should().Be(2);
        host.Requests.Count(r => r.Method == "GET" && r.Path == "/flows/TrainFlow/runs/argo-1").Should().Be(1);
    }

    [Fact]
    public async Task Registration_without_an_id_generates_a_string_run_id()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow");
        run.Name.Should().StartWith("mlopsgw-");
        run.Id.Should().Be($"TrainFlow/{run.Name}");
    }

    [Theory]
    [InlineData("42")]
    [InlineData("has/slash")]
    public async Task Invalid_caller_run_ids_are_rejected_before_sending(string runId)
    {
        await using var host = await MetaflowHost.StartAsync();
        var act = () => host.Backend.Runs.CreateRunAsync("TrainFlow", new RunCreateOptions { RunId = runId });
        await act.Should().ThrowAsync<MlopsValidationException>();
        host.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Ending_a_registered_run_writes_the_end_step_result_the_status_is_derived_from()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-ok");
        var ended = await host.Backend.Runs.EndAsync(run, RunStatus.Succeeded);
        ended.Status.Should().Be(RunStatus.Succeeded);
        ended.RawStatus.Should().Be("completed");
        ended.EndTime.Should().Be(MetaflowHost.Start);

        var failed = await host.RegisterRunAsync("TrainFlow", "argo-bad");
        (await host.Backend.Runs.EndAsync(failed, RunStatus.Canceled)).Status.Should().Be(RunStatus.Failed, "Metaflow has no canceled state");

        host.Clock.Advance(TimeSpan.FromMinutes(30));
        (await host.Backend.Runs.GetAsync(run)).Status.Should().Be(RunStatus.Succeeded, "the end result outlives the heartbeat");
    }

    [Fact]
    public async Task Ending_writes_what_the_metaflow_client_writes_for_an_end_task()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-e");
        host.Fake.Server.ClearRequests();
        await host.Backend.Runs.EndAsync(run, RunStatus.Failed);
        host.Requests.Take(3).Select(r => $"{r.Method} {r.Path}").Should().Equal(
            "POST /flows/TrainFlow/runs/argo-e/steps/end/step",
            "POST /flows/TrainFlow/runs/argo-e/steps/end/task",
            "POST /flows/TrainFlow/runs/argo-e/steps/end/tasks/mlopsgateway-end/metadata");
        JsonNode.Parse(host.Requests[1].Body!)!["task_id"]!.GetValue<string>().Should().Be("mlopsgateway-end");
        var rows = JsonNode.Parse(host.Requests[2].Body!)!.AsArray();
        rows.Select(r => (r!["field_name"]!.GetValue<string>(), r["value"]!.GetValue<string>(), r["type"]!.GetValue<string>(), r["tags"]![0]!.GetValue<string>()))
            .Should().Equal(("attempt", "0", "attempt", "attempt_id:0"), ("attempt_ok", "False", "internal_attempt_status", "attempt_id:0"), ("attempt-done", "0", "attempt-done", "attempt_id:0"));
        (await host.Backend.Runs.EndAsync(run, RunStatus.Succeeded)).Status.Should().Be(RunStatus.Succeeded, "ending again reuses the end task; the newest attempt_ok wins");
        var invalid = () => host.Backend.Runs.EndAsync(run, RunStatus.Running);
        await invalid.Should().ThrowAsync<MlopsValidationException>();
    }

    [Fact]
    public async Task A_run_that_stops_beating_reads_running_until_the_360_second_cutoff_then_failed()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-killed");
        // Simulate a killed runtime: the gateway stops beating (as if the process died) without an end result.
        ((MetaflowBackend)host.Backend.GetService<MetaflowBackend>()!).Heartbeats.Stop(MetaflowRunRef.Parse(run.Id, host.Backend.GetService<MetaflowBackend>()!.Context));
        host.Clock.Advance(TimeSpan.FromSeconds(360));
        (await host.Backend.Runs.GetAsync(run)).Status.Should().Be(RunStatus.Running);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        var failed = await host.Backend.Runs.GetAsync(run);
        failed.Status.Should().Be(RunStatus.Failed);
        failed.EndTime.Should().Be(MetaflowHost.Start);
    }

    [Fact]
    public async Task Get_reads_run_status_and_parameter_names_and_maps_a_missing_run_to_not_found()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-p");
        var task = await host.RegisterTaskAsync(run, "_parameters", "params-task");
        await host.Metadata.AddArtifactsAsync(run.Id, "_parameters", task.TaskId,
        [
            new MetaflowArtifactWrite { Name = "alpha", Location = "s3://b/a", Sha = "a1" },
            new MetaflowArtifactWrite { Name = "_graph_info", Location = "s3://b/g", Sha = "g1" },
            new MetaflowArtifactWrite { Name = "name", Location = "s3://b/n", Sha = "n1" },
        ]);
        var read = await host.Backend.Runs.GetAsync(run.Id);
        read.Params.Should().Equal(new Dictionary<string, string> { ["alpha"] = "" });
        read.PipelineId.Should().Be("TrainFlow");
        read.ExperimentId.Should().Be("TrainFlow");
        read.StartTime.Should().Be(MetaflowHost.Start);
        read.Native!.Value.GetProperty("run_number").GetString().Should().Be("argo-p");

        var missing = () => host.Backend.Runs.GetAsync("TrainFlow/999");
        (await missing.Should().ThrowAsync<MlopsNotFoundException>()).Which.Status.Should().Be(404);
        var malformed = () => host.Backend.Runs.GetAsync("no-slash");
        (await malformed.Should().ThrowAsync<MlopsNotFoundException>()).Which.Operation.Should().Be("Runs.Get");
    }

    [Fact]
    public async Task Numeric_and_string_run_ids_round_trip()
    {
        await using var host = await MetaflowHost.StartAsync();
        await host.Metadata.RegisterFlowAsync("TrainFlow");
        host.Fake.SeedSequences(24, 37);
        // A run created by Metaflow itself gets a server-assigned number.
        using var http = new HttpClient { BaseAddress = host.Fake.BaseUri };
        (await http.PostAsync("flows/TrainFlow/run", new StringContent("{\"user_name\":\"bob\"}"))).EnsureSuccessStatusCode();
        var numeric = await host.Backend.Runs.GetAsync("TrainFlow/24");
        numeric.Id.Should().Be("TrainFlow/24");
        numeric.Tags.Should().BeEmpty("a null tag list is empty");
        (await host.Backend.Runs.GetAsync(numeric.Id)).Id.Should().Be(numeric.Id);
        var named = await host.RegisterRunAsync("TrainFlow", "argo-x");
        (await host.Backend.Runs.GetAsync(named.Id)).Id.Should().Be("TrainFlow/argo-x");
    }

    [Fact]
    public async Task Tags_map_to_keys_with_empty_values_and_are_never_split_on_colons()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-t");
        await host.Backend.Runs.SetTagAsync(run, "stage:prod", "");
        var read = await host.Backend.Runs.GetAsync(run);
        read.Tags.Should().Equal(new Dictionary<string, string> { ["stage:prod"] = "" });
        var patch = host.Requests.Single(r => r.Method == "PATCH");
        patch.Path.Should().Be("/flows/TrainFlow/runs/argo-t/tag/mutate");
        JsonNode.Parse(patch.Body!)!["tags_to_add"]!.AsArray().Single()!.GetValue<string>().Should().Be("stage:prod");

        await host.Backend.Runs.DeleteTagAsync(run, "stage:prod");
        (await host.Backend.Runs.GetAsync(run)).Tags.Should().BeEmpty();
        var absent = () => host.Backend.Runs.DeleteTagAsync(run, "never-there");
        await absent.Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task Tag_values_live_in_the_gateway_namespace_and_system_tags_are_rejected_client_side()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-s");
        await host.Backend.Runs.SetTagAsync(run, "stage", "dev");
        await host.Backend.Runs.SetTagAsync(run, "stage", "prod");
        var patch = JsonNode.Parse(host.Requests.Last(r => r.Method == "PATCH").Body!)!;
        patch["tags_to_remove"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("mlopsgateway/stage=dev");
        patch["tags_to_add"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("mlopsgateway/stage=prod");
        var read = await host.Backend.Runs.GetAsync(run);
        read.Tags.Should().Equal(new Dictionary<string, string> { ["stage"] = "prod" });

        host.Fake.Server.ClearRequests();
        var system = () => host.Backend.Runs.DeleteTagAsync(run, "user:alice");
        (await system.Should().ThrowAsync<MlopsValidationException>()).Which.Message.Should().Contain("system tag");
        var systemAdd = () => host.Backend.Runs.SetTagAsync(run, "runtime:mlopsgateway", "");
        await systemAdd.Should().ThrowAsync<MlopsValidationException>();
        var reserved = () => host.Backend.Runs.SetTagAsync(run, "mlopsgateway/x", "");
        await reserved.Should().ThrowAsync<MlopsValidationException>();
        host.Requests.Should().NotContain(r => r.Method == "PATCH");
    }

    [Fact]
    public void Metaflow_tags_are_never_split_on_colons_and_only_the_gateway_namespace_decodes()
    {
        MetaflowTags.Decode("team:ml").Should().Be(new KeyValuePair<string, string>("team:ml", ""));
        MetaflowTags.Decode("a=b").Should().Be(new KeyValuePair<string, string>("a=b", ""));
        MetaflowTags.Decode("mlopsgateway/phase=a=b").Should().Be(new KeyValuePair<string, string>("phase", "a=b"));
        MetaflowTags.Decode("mlopsgateway/noequals").Should().Be(new KeyValuePair<string, string>("mlopsgateway/noequals", ""));
        MetaflowTags.Encode("team:ml", "").Should().Be("team:ml");
        var bad = () => MetaflowTags.Encode("a=b", "v");
        bad.Should().Throw<MlopsValidationException>();
    }

    [Fact]
    public async Task A_registered_runs_name_is_kept_as_a_system_tag()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.Backend.GetService<MetaflowMetadataClient>()!.RegisterRunAsync("TrainFlow", new RunCreateOptions { Name = "nightly", RunId = "argo-n" });
        run.Name.Should().Be("nightly");
        (await host.Backend.Runs.GetAsync(run)).Name.Should().Be("nightly");
        run.SystemTags.Should().Contain("mlopsgateway/name=nightly");
        (await host.RegisterRunAsync("TrainFlow", "argo-unnamed")).Name.Should().Be("argo-unnamed");
    }

    [Fact]
    public async Task Tag_mutation_on_a_service_older_than_2_3_is_not_supported_and_capabilities_say_so()
    {
        await using var host = await MetaflowHost.StartAsync();
        host.Fake.Version = "2.2.5";
        var run = await host.RegisterRunAsync("TrainFlow", "argo-old");
        host.Backend.Capabilities.Supports(MlopsCapability.RunTags).Should().BeTrue("nothing is known before the probe");
        host.Fake.Server.ClearRequests();
        var act = () => host.Backend.Runs.SetTagAsync(run, "x", "");
        (await act.Should().ThrowAsync<MlopsNotSupportedException>()).Which.Message.Should().Contain("2.3.0");
        host.Requests.Select(r => r.Path).Should().Equal("/ping");
        host.Backend.Capabilities.Supports(MlopsCapability.RunTags).Should().BeFalse();
        await act.Should().ThrowAsync<MlopsNotSupportedException>();
        host.Requests.Should().HaveCount(1, "the version is probed once");
    }

    [Fact]
    public async Task Listing_runs_of_a_flow_streams_without_resolving_status()
    {
        await using var host = await MetaflowHost.StartAsync();
        await host.RegisterRunAsync("TrainFlow", "argo-a");
        await host.RegisterRunAsync("TrainFlow", "argo-b");
        await host.RegisterRunAsync("OtherFlow", "argo-c");
        host.Fake.Server.ClearRequests();
        var runs = await host.Backend.Runs.ListAsync(new RunQuery { PipelineId = "TrainFlow" }).ToListAsync();
        runs.Select(r => r.Id).Should().BeEquivalentTo(["TrainFlow/argo-a", "TrainFlow/argo-b"]);
        runs.Should().OnlyContain(r => r.Status == RunStatus.Unknown && r.RawStatus == null);
        host.Requests.Select(r => r.Path + r.Query).Should().Equal("/flows/TrainFlow/runs?_limit=100");

        var all = await host.Backend.Runs.ListAsync().ToListAsync();
        all.Should().HaveCount(3, "without a flow the listing walks every flow");
    }

    [Fact]
    public async Task A_status_filter_resolves_each_run_and_keeps_matching_ones()
    {
        await using var host = await MetaflowHost.StartAsync();
        var ok = await host.RegisterRunAsync("TrainFlow", "argo-ok");
        await host.Backend.Runs.EndAsync(ok, RunStatus.Succeeded);
        var bad = await host.RegisterRunAsync("TrainFlow", "argo-bad");
        await host.Backend.Runs.EndAsync(bad, RunStatus.Failed);
        await host.RegisterRunAsync("TrainFlow", "argo-running");

        var finished = await host.Backend.Runs.ListAsync(new RunQuery { PipelineId = "TrainFlow", Statuses = [RunStatus.Succeeded, RunStatus.Failed] }).ToListAsync();
        finished.Select(r => (r.Id, r.Status)).Should().BeEquivalentTo(new[] { ("TrainFlow/argo-ok", RunStatus.Succeeded), ("TrainFlow/argo-bad", RunStatus.Failed) });
        var running = await host.Backend.Runs.ListAsync(new RunQuery { PipelineId = "TrainFlow", Statuses = [RunStatus.Running] }).ToListAsync();
        running.Single().Id.Should().Be("TrainFlow/argo-running");
    }

    [Fact]
    public async Task A_status_listing_resolves_a_bounded_window_and_a_consumer_may_stop_early()
    {
        await using var host = await MetaflowHost.StartAsync(o => o.MaxConcurrentRequests = 2);
        for (var i = 0; i < 6; i++)
        {
            await host.RegisterRunAsync("TrainFlow", $"argo-{i}");
        }
        host.Fake.Server.ClearRequests();
        await foreach (var run in host.Backend.Runs.ListAsync(new RunQuery { PipelineId = "TrainFlow", Statuses = [RunStatus.Running] }))
        {
            run.Status.Should().Be(RunStatus.Running);
            break;
        }
        // Two runs were in the window when the consumer stopped: at most their end-step lookups were sent.
        host.Requests.Count(r => r.Path.EndsWith("/steps/end/tasks", StringComparison.Ordinal)).Should().BeInRange(1, 2);
    }

    [Fact]
    public async Task Listing_runs_of_a_missing_flow_is_not_found_although_the_wire_says_200_empty()
    {
        await using var host = await MetaflowHost.StartAsync();
        var act = () => host.Backend.Runs.ListAsync(new RunQuery { PipelineId = "NoSuchFlow" }).ToListAsync();
        await act.Should().ThrowAsync<MlopsNotFoundException>();
        await host.Metadata.RegisterFlowAsync("EmptyFlow");
        (await host.Backend.Runs.ListAsync(new RunQuery { PipelineId = "EmptyFlow" }).ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Client_side_filters_apply_to_tags_and_start_time()
    {
        await using var host = await MetaflowHost.StartAsync();
        await host.RegisterRunAsync("TrainFlow", "argo-old", new Dictionary<string, string> { ["keep"] = "" });
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        await host.RegisterRunAsync("TrainFlow", "argo-new", new Dictionary<string, string> { ["keep"] = "" });
        await host.RegisterRunAsync("TrainFlow", "argo-untagged");
        var runs = await host.Backend.Runs.ListAsync(new RunQuery
        {
            PipelineId = "TrainFlow",
            Tags = new Dictionary<string, string> { ["keep"] = "" },
            StartedAfter = MetaflowHost.Start.AddMinutes(1),
        }).ToListAsync();
        runs.Single().Id.Should().Be("TrainFlow/argo-new");
    }

    [Fact]
    public async Task Unsupported_queries_and_operations_send_nothing()
    {
        await using var host = await MetaflowHost.StartAsync();
        var ordered = () => host.Backend.Runs.ListAsync(new RunQuery { OrderBy = [new RunOrdering(RunSortField.StartTime)] });
        ordered.Should().Throw<MlopsNotSupportedException>();
        var trigger = () => host.Backend.Pipelines.TriggerAsync("TrainFlow");
        (await trigger.Should().ThrowAsync<MlopsNotSupportedException>()).Which.Message.Should().Contain("Metaflow's own runtime");
        var model = () => host.Backend.Models.GetModelAsync("m");
        (await model.Should().ThrowAsync<MlopsNotSupportedException>()).Which.Message.Should().Contain("MLflow or Local");
        var metric = () => host.Backend.Runs.LogBatchAsync("TrainFlow/argo-1", new RunLogBatch { Metrics = [new MetricPoint("loss", 1, MetaflowHost.Start, 0)] });
        await metric.Should().ThrowAsync<MlopsNotSupportedException>();
        host.Backend.Capabilities.Supports(MlopsCapability.ParamValues).Should().BeFalse();
        host.Backend.Capabilities.Supports(MlopsCapability.ModelRegistry).Should().BeFalse();
        host.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Flows_are_pipelines()
    {
        await using var host = await MetaflowHost.StartAsync();
        await host.Metadata.RegisterFlowAsync("TrainFlow");
        await host.Metadata.RegisterFlowAsync("ScoreFlow");
        var flows = await host.Backend.Pipelines.ListAsync(new PipelineQuery { NameContains = "train" }).ToListAsync();
        flows.Single().Should().Match<Pipeline>(p => p.Id == "TrainFlow" && p.Name == "TrainFlow" && p.Owners.Single() == "alice");
        (await host.Backend.Pipelines.GetAsync("ScoreFlow")).CreatedAt.Should().Be(MetaflowHost.Start);
        var missing = () => host.Backend.Pipelines.GetAsync("NoSuchFlow");
        await missing.Should().ThrowAsync<MlopsNotFoundException>();
        (await host.Backend.Pipelines.ListAsync(new PipelineQuery { IsPaused = true }).ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Task_runs_carry_attempts_timings_and_status()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-tr");
        var start = await host.RegisterTaskAsync(run, "start", "t-start");
        await host.Metadata.AddMetadataAsync(run.Id, "start", start.TaskId,
            [new("attempt", "0", "attempt", 0), new("attempt_ok", "False", "internal_attempt_status", 0)]);
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        await host.Metadata.AddMetadataAsync(run.Id, "start", start.TaskId,
            [new("attempt", "1", "attempt", 1)]);
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        await host.Metadata.AddMetadataAsync(run.Id, "start", start.TaskId,
            [new("attempt_ok", "True", "internal_attempt_status", 1)]);
        await host.Metadata.RegisterStepAsync(run.Id, "train");
        await host.Metadata.RegisterTaskAsync(run.Id, "train", "t-train");

        var tasks = await host.Backend.Pipelines.ListTaskRunsAsync(run).ToListAsync();
        var s = tasks.Single(t => t.Name == "start");
        s.Id.Should().Be("start/t-start");
        s.Attempt.Should().Be(2);
        s.Status.Should().Be(RunStatus.Succeeded);
        s.StartTime.Should().Be(MetaflowHost.Start.AddSeconds(5));
        s.EndTime.Should().Be(MetaflowHost.Start.AddSeconds(10));
        var t = tasks.Single(x => x.Name == "train");
        t.Status.Should().Be(RunStatus.Queued, "no attempt and no heartbeat yet: the UI's 'pending'");
        t.Attempt.Should().Be(0);
        (await host.Metadata.HeartbeatTaskAsync(run.Id, "train", "t-train")).Should().BeTrue();
        tasks = await host.Backend.Pipelines.ListTaskRunsAsync(run).ToListAsync();
        tasks.Single(x => x.Name == "train").Status.Should().Be(RunStatus.Running, "it beat a moment ago");
        host.Clock.Advance(TimeSpan.FromSeconds(61));
        tasks = await host.Backend.Pipelines.ListTaskRunsAsync(run).ToListAsync();
        tasks.Single(x => x.Name == "train").Status.Should().Be(RunStatus.Failed, "its heartbeat is older than 60 s");

        var missing = () => host.Backend.Pipelines.ListTaskRunsAsync("TrainFlow/999").ToListAsync();
        await missing.Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task Wait_for_completion_polls_the_derived_status()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-w");
        var polled = new List<RunStatus>();
        var wait = host.Backend.Runs.WaitForCompletionAsync(run, new WaitOptions { InitialPollInterval = TimeSpan.FromSeconds(1) },
            new SynchronousProgress(r => { lock (polled) { polled.Add(r.Status); } }));
        // Only the waiter sleeps exactly 1 s: the heartbeat is due in 10 s and request timeouts in 30 s and 100 s. Advancing
        // before its delay is scheduled would leave it asleep on a clock nobody moves again.
        await Eventually.TrueAsync(() => host.Clock.PendingDelays.Contains(TimeSpan.FromSeconds(1)), "the waiter polls once, then sleeps 1 s on the clock");
        await host.Backend.Runs.EndAsync(run, RunStatus.Succeeded);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        (await Eventually.CompletesAsync(wait, "the waiter wakes after 1 s and reads the ended run")).Status.Should().Be(RunStatus.Succeeded);
        polled.Should().Equal(RunStatus.Running, RunStatus.Succeeded);
    }

    [Fact]
    public async Task Health_reports_the_version_from_ping()
    {
        await using var host = await MetaflowHost.StartAsync();
        var health = await host.Backend.CheckHealthAsync();
        health.IsHealthy.Should().BeTrue();
        health.ServerVersion.Should().Be("2.5.1");
        host.Backend.Kind.Should().Be("Metaflow");
    }

    [Fact]
    public async Task Api_key_and_extra_headers_reach_the_service()
    {
        Environment.SetEnvironmentVariable("MF_TEST_API_KEY", "secret-key");
        await using var host = await MetaflowHost.StartAsync(o =>
        {
            o.Auth.Type = "Headers";
            o.Auth.Headers["x-api-key"] = "env:MF_TEST_API_KEY";
            o.Headers["x-team"] = "ml";
        });
        await host.Metadata.RegisterFlowAsync("TrainFlow");
        host.Requests.Single().Header("x-api-key").Should().Be("secret-key");
        host.Requests.Single().Header("x-team").Should().Be("ml");
    }

    /// <summary>Reports on the waiter's own thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<Run> report) : IProgress<Run>
    {
        public void Report(Run value) => report(value);
    }
}
