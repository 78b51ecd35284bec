using Microsoft.Extensions.Time.Testing;
using System.Text;
using System.Text.Json.Nodes;

namespace MlopsGateway.MLflow.Tests;

/// <summary>Experiments and runs against the fake: exact requests on the wire and mapping of the answers.</summary>
public sealed class RunClientTests
{
    [Fact]
    public async Task Create_experiment_posts_json_with_tags_and_description_then_reads_it_back()
    {
        await using var h = await MLflowHarness.StartAsync();

        var experiment = await h.Runs.CreateExperimentAsync("exp", new ExperimentCreateOptions
        {
            Description = "about",
            Tags = new Dictionary<string, string> { ["team"] = "dotnet" },
        });

        experiment.Name.Should().Be("exp");
        experiment.Id.Should().Be("1");
        experiment.Backend.Should().Be("ml");
        experiment.ArtifactLocation.Should().Be("mlflow-artifacts:/1");
        experiment.Tags.Should().Contain("mlflow.note.content", "about").And.Contain("team", "dotnet");
        var create = h.Calls("experiments/create").Single();
        create.Method.Should().Be("POST");
        create.Header("Content-Type").Should().StartWith("application/json");
        MLflowHarness.Body(create).ToJsonString().Should().Be("""{"name":"exp","tags":[{"key":"team","value":"dotnet"},{"key":"mlflow.note.content","value":"about"}]}""");
        h.Calls("experiments/get").Single().Query.Should().Be("?experiment_id=1");
    }

    [Fact]
    public async Task Experiment_errors_map_to_not_found_and_conflict()
    {
        await using var h = await MLflowHarness.StartAsync();
        await h.Runs.CreateExperimentAsync("taken");

        await h.Runs.Invoking(r => r.CreateExperimentAsync("taken")).Should().ThrowAsync<MlopsConflictException>();
        await h.Runs.Invoking(r => r.GetExperimentAsync("999")).Should().ThrowAsync<MlopsNotFoundException>();
        (await h.Runs.Invoking(r => r.GetExperimentByNameAsync("nope")).Should().ThrowAsync<MlopsNotFoundException>())
            .Which.ErrorCode.Should().Be("RESOURCE_DOES_NOT_EXIST");
        h.Calls("experiments/get-by-name").Single().Query.Should().Be("?experiment_name=nope");
    }

    [Fact]
    public async Task Listing_experiments_always_sends_max_results_and_follows_page_tokens_lazily()
    {
        await using var h = await MLflowHarness.StartAsync();
        for (var i = 0; i < 12; i++)
        {
            await h.Runs.CreateExperimentAsync($"page-{i:00}");
        }
        h.Fake.ClearRequests();

        var listing = h.Runs.ListExperimentsAsync(new ExperimentQuery { NameContains = "page-", PageSize = 5 });
        h.Fake.Requests.Should().BeEmpty("nothing is requested until enumeration starts");
        var all = await listing.ToListAsync();

        all.Should().HaveCount(12);
        var searches = h.Calls("experiments/search");
        searches.Should().HaveCount(3);
        searches.Select(s => MLflowHarness.Body(s)["max_results"]!.GetValue<int>()).Should().OnlyContain(m => m == 5);
        MLflowHarness.Body(searches[0])["filter"]!.GetValue<string>().Should().Be("name LIKE '%page-%'");
        MLflowHarness.Body(searches[0]).ContainsKey("page_token").Should().BeFalse();
        MLflowHarness.Body(searches[1])["page_token"]!.GetValue<string>().Should().Be("eyJvZmZzZXQiOiA1fQ==");
        MLflowHarness.Body(searches[2])["view_type"]!.GetValue<string>().Should().Be("ACTIVE_ONLY");
    }

    [Fact]
    public async Task Page_size_hints_are_clamped_to_the_server_cap()
    {
        await using var h = await MLflowHarness.StartAsync();
        await h.Runs.ListExperimentsAsync(new ExperimentQuery { PageSize = 1_000_000 }).ToListAsync();
        MLflowHarness.Body(h.Calls("experiments/search").Single())["max_results"]!.GetValue<int>().Should().Be(1000);
    }

    [Fact]
    public async Task Delete_and_restore_experiment_change_its_lifecycle()
    {
        await using var h = await MLflowHarness.StartAsync();
        var experiment = await h.Runs.CreateExperimentAsync("soft");

        await h.Runs.DeleteExperimentAsync(experiment.Id);
        (await h.Runs.GetExperimentAsync(experiment.Id)).State.Should().Be(LifecycleState.Deleted);
        (await h.Runs.ListExperimentsAsync().ToListAsync()).Should().NotContain(e => e.Id == experiment.Id);
        (await h.Runs.ListExperimentsAsync(new ExperimentQuery { IncludeDeleted = true }).ToListAsync()).Should().Contain(e => e.Id == experiment.Id);
        await h.Runs.Invoking(r => r.CreateExperimentAsync("soft")).Should().ThrowAsync<MlopsConflictException>("a soft-deleted name stays reserved");

        await h.Runs.RestoreExperimentAsync(experiment.Id);
        (await h.Runs.GetExperimentAsync(experiment.Id)).State.Should().Be(LifecycleState.Active);
        MLflowHarness.Body(h.Calls("experiments/restore").Single()).ToJsonString().Should().Be($$"""{"experiment_id":"{{experiment.Id}}"}""");
    }

    [Fact]
    public async Task Create_run_sends_start_time_name_and_tags_and_maps_the_run()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        await using var h = await MLflowHarness.StartAsync(time: clock);
        var experiment = await h.Runs.CreateExperimentAsync("e");

        var run = await h.Runs.CreateRunAsync(experiment.Id, new RunCreateOptions { Name = "cnn", Tags = new Dictionary<string, string> { ["k"] = "v" } });

        MLflowHarness.Body(h.Calls("runs/create").Single()).ToJsonString().Should()
            .Be($$"""{"experiment_id":"{{experiment.Id}}","run_name":"cnn","start_time":1700000000000,"tags":[{"key":"k","value":"v"}]}""");
        run.Status.Should().Be(RunStatus.Running);
        run.RawStatus.Should().Be("RUNNING");
        run.Name.Should().Be("cnn");
        run.StartTime.Should().Be(clock.GetUtcNow());
        run.ExperimentId.Should().Be(experiment.Id);
        run.Tags.Should().Contain("k", "v").And.Contain("mlflow.runName", "cnn");
        run.ArtifactLocation.Should().Be($"mlflow-artifacts:/{experiment.Id}/{run.Id}/artifacts");
        run.Id.Should().MatchRegex("^[0-9a-f]{32}$");
    }

    [Fact]
    public async Task Create_run_is_never_retried_but_log_batch_is()
    {
        await using var h = await MLflowHarness.StartAsync();
        var experiment = await h.Runs.CreateExperimentAsync("e");
        var run = await h.Runs.CreateRunAsync(experiment.Id);
        var failures = 0;
        h.Fake.Intercept = request => request.Method == "POST" && Interlocked.Increment(ref failures) == 1
            ? (503, """{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}""", "application/json")
            : null;

        await h.Runs.Invoking(r => r.CreateRunAsync(experiment.Id)).Should().ThrowAsync<MlopsUnavailableException>();
        h.Calls("runs/create").Should().HaveCount(2, "the first create above plus exactly one attempt");

        failures = 0;
        await h.Runs.LogBatchAsync(run, new RunLogBatch { Metrics = [new MetricPoint("m", 1, DateTimeOffset.UnixEpoch.AddDays(1))] });
        h.Calls("runs/log-batch").Should().HaveCount(2, "log-batch is idempotent and retried after the 503");
        h.Fake.History(run.Id).Should().ContainSingle();
    }

    [Fact]
    public async Task Unknown_run_is_not_found_and_create_with_caller_id_is_not_supported_before_sending()
    {
        await using var h = await MLflowHarness.StartAsync();
        await h.Runs.Invoking(r => r.GetAsync("00000000000000000000000000000000")).Should().ThrowAsync<MlopsNotFoundException>();
        h.Fake.ClearRequests();

        await h.Runs.Invoking(r => r.CreateRunAsync("0", new RunCreateOptions { RunId = "mine" })).Should().ThrowAsync<MlopsNotSupportedException>();
        await h.Runs.Invoking(r => r.RetryAsync("x")).Should().ThrowAsync<MlopsNotSupportedException>();
        await h.Runs.Invoking(r => r.ListAsync(new RunQuery { PipelineId = "dag" }).ToListAsync()).Should().ThrowAsync<MlopsNotSupportedException>();
        h.Fake.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Run_query_translates_to_an_mlflow_filter_and_order_by()
    {
        await using var h = await MLflowHarness.StartAsync();
        var experiment = await h.Runs.CreateExperimentAsync("e");
        h.Fake.ClearRequests();

        await h.Runs.ListAsync(new RunQuery
        {
            ExperimentIds = [experiment.Id],
            Metrics = [new MetricPredicate("acc", ComparisonOperator.GreaterThan, 0.5)],
            Params = [new ParamPredicate("optimizer", ComparisonOperator.Equal, "adam")],
            Tags = new Dictionary<string, string> { ["mlflow.runName"] = "it's" },
            Statuses = [RunStatus.Succeeded],
            StartedAfter = DateTimeOffset.FromUnixTimeMilliseconds(1000),
            StartedBefore = DateTimeOffset.FromUnixTimeMilliseconds(2000),
            NativeFilter = "datasets.name = 'iris'",
            OrderBy = [new RunOrdering(RunSortField.Metric, true, "acc"), new RunOrdering(RunSortField.StartTime, false)],
            PageSize = 7,
        }).ToListAsync();

        var body = MLflowHarness.Body(h.Calls("runs/search").Single());
        body["filter"]!.GetValue<string>().Should().Be(
            "metrics.acc > 0.5 AND params.optimizer = 'adam' AND tags.`mlflow.runName` = \"it's\" AND attributes.status = 'FINISHED'"
            + " AND attributes.start_time >= 1000 AND attributes.start_time < 2000 AND datasets.name = 'iris'");
        body["order_by"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("metrics.acc DESC", "attributes.start_time ASC");
        body["max_results"]!.GetValue<int>().Should().Be(7);
        body["experiment_ids"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(experiment.Id);
        body["run_view_type"]!.GetValue<string>().Should().Be("ACTIVE_ONLY");
    }

    [Fact]
    public async Task Several_statuses_become_not_equal_clauses_because_2_17_only_allows_IN_on_run_id()
    {
        await using var h = await MLflowHarness.StartAsync();
        var experiment = await h.Runs.CreateExperimentAsync("e");
        var finished = await h.Runs.CreateRunAsync(experiment.Id, new RunCreateOptions { Name = "a" });
        var failed = await h.Runs.CreateRunAsync(experiment.Id, new RunCreateOptions { Name = "b" });
        await h.Runs.CreateRunAsync(experiment.Id, new RunCreateOptions { Name = "c" });
        await h.Runs.EndAsync(finished, RunStatus.Succeeded);
        await h.Runs.EndAsync(failed, RunStatus.Failed);
        h.Fake.ClearRequests();

        var runs = await h.Runs.ListAsync(new RunQuery { ExperimentIds = [experiment.Id], Statuses = [RunStatus.Succeeded, RunStatus.Failed] }).ToListAsync();

        runs.Select(r => r.Name).Should().BeEquivalentTo("a", "b");
        MLflowHarness.Body(h.Calls("runs/search").Single())["filter"]!.GetValue<string>().Should()
            .Be("attributes.status != 'RUNNING' AND attributes.status != 'SCHEDULED' AND attributes.status != 'KILLED'");
    }

    [Fact]
    public async Task A_status_mlflow_never_reports_matches_nothing_without_a_request()
    {
        await using var h = await MLflowHarness.StartAsync();
        (await h.Runs.ListAsync(new RunQuery { ExperimentIds = ["0"], Statuses = [RunStatus.Paused] }).ToListAsync()).Should().BeEmpty();
        h.Fake.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Listing_runs_without_experiment_ids_searches_every_active_experiment_and_pages()
    {
        await using var h = await MLflowHarness.StartAsync();
        var a = await h.Runs.CreateExperimentAsync("a");
        var b = await h.Runs.CreateExperimentAsync("b");
        for (var i = 0; i < 3; i++)
        {
            await h.Runs.CreateRunAsync(a.Id);
            await h.Runs.CreateRunAsync(b.Id);
        }
        h.Fake.ClearRequests();

        var runs = await h.Runs.ListAsync(new RunQuery { PageSize = 4 }).ToListAsync();

        runs.Should().HaveCount(6);
        var searches = h.Calls("runs/search");
        searches.Should().HaveCount(2);
        MLflowHarness.Body(searches[0])["experiment_ids"]!.AsArray().Select(n => n!.GetValue<string>()).Should().BeEquivalentTo("0", a.Id, b.Id);
        MLflowHarness.Body(searches[1])["page_token"].Should().NotBeNull();
    }

    [Theory]
    [InlineData("metrics.acc > 0.5 OR params.lr = '0.01'")]
    [InlineData("metrics.acc >> 0.5")]
    [InlineData("attributes.status IN ('FINISHED','KILLED')")]
    public async Task A_native_filter_the_server_rejects_is_a_validation_error_naming_the_reason(string filter)
    {
        await using var h = await MLflowHarness.StartAsync();
        var thrown = (await h.Runs.Invoking(r => r.ListAsync(new RunQuery { ExperimentIds = ["0"], NativeFilter = filter }).ToListAsync())
            .Should().ThrowAsync<MlopsValidationException>()).Which;
        thrown.ErrorCode.Should().Be("INVALID_PARAMETER_VALUE");
        thrown.Operation.Should().Be("Runs.List");
        thrown.Message.Should().MatchRegex("OR|comparator|run_id");
    }

    [Fact]
    public async Task Param_comparisons_mlflow_cannot_express_are_not_supported_before_sending()
    {
        await using var h = await MLflowHarness.StartAsync();
        await h.Runs.Invoking(r => r.ListAsync(new RunQuery { ExperimentIds = ["0"], Params = [new ParamPredicate("lr", ComparisonOperator.LessThan, "1")] }).ToListAsync())
            .Should().ThrowAsync<MlopsNotSupportedException>();
        await h.Runs.Invoking(r => r.ListAsync(new RunQuery { ExperimentIds = ["0"], Metrics = [new MetricPredicate("m", ComparisonOperator.Equal, double.NaN)] }).ToListAsync())
            .Should().ThrowAsync<MlopsValidationException>();
        h.Fake.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task End_run_updates_status_and_end_time_and_rejects_non_terminal_statuses_client_side()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        await using var h = await MLflowHarness.StartAsync(time: clock);
        var run = await h.Runs.CreateRunAsync("0");
        clock.Advance(TimeSpan.FromSeconds(5));

        var ended = await h.Runs.EndAsync(run, RunStatus.Canceled);

        ended.Status.Should().Be(RunStatus.Canceled);
        ended.RawStatus.Should().Be("KILLED");
        ended.EndTime.Should().Be(clock.GetUtcNow());
        MLflowHarness.Body(h.Calls("runs/update").Single()).ToJsonString().Should()
            .Be($$"""{"run_id":"{{run.Id}}","status":"KILLED","end_time":1700000005000}""");
        h.Fake.ClearRequests();
        await h.Runs.Invoking(r => r.EndAsync(run, RunStatus.Paused)).Should().ThrowAsync<MlopsValidationException>();
        await h.Runs.Invoking(r => r.EndAsync(run, RunStatus.Running)).Should().ThrowAsync<MlopsValidationException>();
        h.Fake.Requests.Should().BeEmpty("the server would silently ignore an unknown status");
    }

    [Fact]
    public async Task Cancel_kills_a_running_run_and_is_a_no_op_on_a_terminal_one()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        await h.Runs.CancelAsync(run);
        (await h.Runs.GetAsync(run)).Status.Should().Be(RunStatus.Canceled);
        h.Fake.ClearRequests();
        await h.Runs.CancelAsync(run);
        h.Calls("runs/update").Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_run_soft_deletes_and_is_idempotent()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        await h.Runs.DeleteAsync(run);
        await h.Runs.DeleteAsync(run);
        (await h.Runs.GetAsync(run)).Native!.Value.GetProperty("info").GetProperty("lifecycle_stage").GetString().Should().Be("deleted");
        (await h.Runs.ListAsync(new RunQuery { ExperimentIds = ["0"] }).ToListAsync()).Should().BeEmpty();
        await h.Tracking.RestoreRunAsync(run);
        (await h.Runs.ListAsync(new RunQuery { ExperimentIds = ["0"] }).ToListAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Get_run_reads_latest_metrics_params_and_tags_with_infinities_restored()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        var t = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        await h.Runs.LogBatchAsync(run, new RunLogBatch
        {
            Params = [new("lr", "0.01")],
            Tags = [new("phase", "train")],
            Metrics = [new("loss", 0.9, t, 0), new("loss", 0.5, t, 1), new("up", double.PositiveInfinity, t), new("down", double.NegativeInfinity, t), new("nan", double.NaN, t)],
        });

        var read = await h.Runs.GetAsync(run);

        read.Params.Should().Equal(new Dictionary<string, string> { ["lr"] = "0.01" });
        read.Tags["phase"].Should().Be("train");
        read.Metrics["loss"].Should().Be(0.5);
        read.Metrics["up"].Should().Be(double.PositiveInfinity);
        read.Metrics["down"].Should().Be(double.NegativeInfinity);
        double.IsNaN(read.Metrics["nan"]).Should().BeTrue();
        h.Calls("runs/log-batch").Single().Body.Should().Contain("\"value\":\"Infinity\"").And.Contain("\"value\":\"-Infinity\"").And.Contain("\"value\":\"NaN\"");
        h.Fake.History(run.Id).Single(m => m.Key == "up").Value.Should().Be(double.MaxValue, "the store keeps +Infinity as double.MaxValue");
    }

    [Fact]
    public async Task Metric_history_round_trips_non_finite_values_in_step_order_and_an_unknown_run_is_not_found()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        var t = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        await h.Runs.LogBatchAsync(run, new RunLogBatch
        {
            Metrics = [new("m", double.NegativeInfinity, t, 2), new("m", double.NaN, t, 0), new("m", double.PositiveInfinity, t, 1), new("m", 1e300, t.AddSeconds(1), long.MaxValue)],
        });

        var history = await h.Runs.GetMetricHistoryAsync(run, "m").ToListAsync();

        history.Select(p => p.Step).Should().Equal(0, 1, 2, long.MaxValue);
        double.IsNaN(history[0].Value).Should().BeTrue();
        history[1].Value.Should().Be(double.PositiveInfinity);
        history[2].Value.Should().Be(double.NegativeInfinity);
        history[3].Value.Should().Be(1e300);
        history[3].Timestamp.Should().Be(t.AddSeconds(1));
        h.Calls("metrics/get-history").Single().Query.Should().Be($"?run_id={run.Id}&metric_key=m&max_results=25000");

        (await h.Runs.GetMetricHistoryAsync(run, "never").ToListAsync()).Should().BeEmpty();
        await h.Runs.Invoking(r => r.GetMetricHistoryAsync("00000000000000000000000000000000", "m").ToListAsync())
            .Should().ThrowAsync<MlopsNotFoundException>("the server answers {} for an unknown run; the adapter checks");
    }

    [Fact]
    public async Task Set_and_delete_tag_and_deleting_an_absent_tag_is_not_found()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        await h.Runs.SetTagAsync(run, "k", "v");
        (await h.Runs.GetAsync(run)).Tags["k"].Should().Be("v");
        await h.Runs.DeleteTagAsync(run, "k");
        (await h.Runs.GetAsync(run)).Tags.Should().NotContainKey("k");
        await h.Runs.Invoking(r => r.DeleteTagAsync(run, "k")).Should().ThrowAsync<MlopsNotFoundException>();
        MLflowHarness.Body(h.Calls("runs/set-tag").Single()).ToJsonString().Should().Be($$"""{"run_id":"{{run.Id}}","key":"k","value":"v"}""");
    }

    [Fact]
    public async Task Health_reports_the_server_version()
    {
        await using var h = await MLflowHarness.StartAsync();
        var health = await h.Backend.CheckHealthAsync();
        health.IsHealthy.Should().BeTrue();
        health.ServerVersion.Should().Be("2.17.2");
        h.Fake.Intercept = _ => (503, "down", "text/plain");
        (await h.Backend.CheckHealthAsync()).IsHealthy.Should().BeFalse();
    }

    [Fact]
    public async Task Capabilities_declare_mlflow_limits_and_no_orchestration()
    {
        await using var h = await MLflowHarness.StartAsync();
        h.Backend.Kind.Should().Be("MLflow");
        var caps = h.Backend.Capabilities;
        caps.Supports(MlopsCapability.RunTracking).Should().BeTrue();
        caps.Supports(MlopsCapability.ModelAliases).Should().BeTrue();
        caps.Supports(MlopsCapability.Pipelines).Should().BeFalse();
        caps.Supports(MlopsCapability.PipelineTrigger).Should().BeFalse();
        caps.Supports(MlopsCapability.RunRetry).Should().BeFalse();
        caps.Limits.Should().BeEquivalentTo(new
        {
            MaxMetricsPerBatch = 1000, MaxParamsPerBatch = 100, MaxTagsPerBatch = 100, MaxEntitiesPerBatch = 1000,
            MaxKeyLength = 250, MaxParamValueLength = 6000, MaxTagValueLength = 8000, DefaultParallelBatches = 4,
        }, o => o.ExcludingMissingMembers());

        var thrown = (await h.Backend.Pipelines.Invoking(p => p.TriggerAsync("dag")).Should().ThrowAsync<MlopsNotSupportedException>()).Which;
        thrown.Message.Should().Contain("Airflow").And.Contain("Kubeflow");
        await h.Backend.Pipelines.Invoking(p => p.ListAsync().ToListAsync()).Should().ThrowAsync<MlopsNotSupportedException>();
        h.Fake.Requests.Should().BeEmpty();
    }

    internal static Stream Utf8(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    internal static JsonNode? Parse(string? text) => text is null ? null : JsonNode.Parse(text);
}
