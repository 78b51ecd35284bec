using System.Text;
using System.Text.Json.Nodes;
using MlopsGateway.Kubeflow;
using MlopsGateway.Kubeflow.Tests.Fakes;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>Experiments, runs, recurring runs and archive endpoints: exact paths (colon verbs), filters and bodies.</summary>
public sealed class RunEndpointTests : IAsyncLifetime
{
    private KubeflowFake _fake = null!;
    private IMlopsBackend _backend = null!;
    private string _pipelineId = null!;

    public async Task InitializeAsync()
    {
        _fake = await KubeflowFake.StartAsync();
        _backend = Harness.Create(_fake.BaseUri);
        _pipelineId = (await _backend.Pipelines.UploadAsync(new PipelineUpload { Name = "p", Content = new MemoryStream("x"u8.ToArray()) })).Id;
        _fake.Server.ClearRequests();
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private Task<Run> TriggerAsync(string name = "r", string? experimentId = null)
        => _backend.Pipelines.TriggerAsync(_pipelineId, new TriggerOptions { RunName = name, ExperimentId = experimentId });

    [Fact]
    public async Task Experiments_create_get_list_and_get_by_name()
    {
        var created = await _backend.Runs.CreateExperimentAsync("mnist", new ExperimentCreateOptions { Description = "digits" });
        var got = await _backend.Runs.GetExperimentAsync(created.Id);
        var byName = await _backend.Runs.GetExperimentByNameAsync("mnist");
        var listed = await _backend.Runs.ListExperimentsAsync(new ExperimentQuery { NameContains = "mn" }).ToListAsync();

        var r = _fake.Server.Operations();
        _fake.Server.Requests.Count(x => x.Path == "/apis/v2beta1/healthz").Should().Be(1, "the multi-user probe is cached");
        r[0].Line().Should().Be("POST /apis/v2beta1/experiments");
        JsonNode.Parse(r[0].Body!)!.ToJsonString().Should().Be("""{"display_name":"mnist","description":"digits"}""");
        r[1].Line().Should().Be($"GET /apis/v2beta1/experiments/{created.Id}");
        r[2].Line().Should().Be("GET /apis/v2beta1/experiments?page_size=2&filter="
            + Uri.EscapeDataString("""{"predicates":[{"key":"display_name","operation":"EQUALS","string_value":"mnist"}]}"""));
        r[3].Line().Should().Be("GET /apis/v2beta1/experiments?page_size=100&sort_by=created_at%20desc&filter="
            + Uri.EscapeDataString("""{"predicates":[{"key":"display_name","operation":"IS_SUBSTRING","string_value":"mn"},{"key":"storage_state","operation":"NOT_EQUALS","string_value":"ARCHIVED"}]}"""));
        got.Name.Should().Be("mnist");
        byName.Id.Should().Be(created.Id);
        listed.Select(e => e.Id).Should().Equal(created.Id);
    }

    [Fact]
    public async Task Unknown_experiment_name_is_not_found_and_a_duplicate_name_is_a_conflict()
    {
        await _backend.Runs.CreateExperimentAsync("dup");

        var missing = () => _backend.Runs.GetExperimentByNameAsync("nope");
        var dup = () => _backend.Runs.CreateExperimentAsync("dup");

        await missing.Should().ThrowAsync<MlopsNotFoundException>();
        (await dup.Should().ThrowAsync<MlopsConflictException>()).Which.ErrorCode.Should().Be("ALREADY_EXISTS");
    }

    [Fact]
    public async Task Delete_and_restore_an_experiment_are_archive_and_unarchive()
    {
        var experiment = await _backend.Runs.CreateExperimentAsync("arch");
        _fake.Server.ClearRequests();

        await _backend.Runs.DeleteExperimentAsync(experiment.Id);
        var deleted = await _backend.Runs.GetExperimentAsync(experiment.Id);
        var visible = await _backend.Runs.ListExperimentsAsync().ToListAsync();
        var all = await _backend.Runs.ListExperimentsAsync(new ExperimentQuery { IncludeDeleted = true }).ToListAsync();
        await _backend.Runs.RestoreExperimentAsync(experiment.Id);

        _fake.Server.Requests[0].Line().Should().Be($"POST /apis/v2beta1/experiments/{experiment.Id}:archive");
        _fake.Server.Requests[^1].Line().Should().Be($"POST /apis/v2beta1/experiments/{experiment.Id}:unarchive");
        deleted.State.Should().Be(LifecycleState.Deleted);
        visible.Should().NotContain(e => e.Id == experiment.Id);
        all.Should().Contain(e => e.Id == experiment.Id);
        (await _backend.Runs.GetExperimentAsync(experiment.Id)).State.Should().Be(LifecycleState.Active);
    }

    [Fact]
    public async Task Get_list_with_state_and_time_filters_and_sort()
    {
        var experiment = await _backend.Runs.CreateExperimentAsync("e");
        var a = await TriggerAsync("a", experiment.Id);
        var b = await TriggerAsync("b", experiment.Id);
        _fake.Step();
        _fake.SetRunState(b.Id, "FAILED");
        _fake.Server.ClearRequests();

        var failed = await _backend.Runs.ListAsync(new RunQuery
        {
            ExperimentIds = [experiment.Id],
            Statuses = [RunStatus.Failed, RunStatus.Canceled],
            StartedAfter = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            OrderBy = [new RunOrdering(RunSortField.Name, Descending: false)],
        }).ToListAsync();
        var running = await _backend.Runs.ListAsync(new RunQuery { ExperimentIds = [experiment.Id], Statuses = [RunStatus.Running] }).ToListAsync();

        failed.Select(r => r.Id).Should().Equal(b.Id);
        running.Select(r => r.Id).Should().Equal(a.Id);
        var filter = """{"predicates":[{"key":"state","operation":"IN","string_values":{"values":["FAILED","CANCELED"]}},{"key":"created_at","operation":"GREATER_THAN_EQUALS","timestamp_value":"2020-01-01T00:00:00+00:00"}]}""";
        _fake.Server.Requests[0].Line().Should().Be(
            $"GET /apis/v2beta1/runs?experiment_id={experiment.Id}&page_size=100&sort_by=display_name%20asc&filter={Uri.EscapeDataString(filter)}");
        _fake.Server.Requests[1].Query.Should().Contain(Uri.EscapeDataString("""{"key":"state","operation":"IN","string_values":{"values":["RUNNING","CANCELING"]}}"""));
    }

    [Fact]
    public async Task List_pages_to_the_last_page()
    {
        for (var i = 0; i < 5; i++)
        {
            await TriggerAsync($"r{i}");
        }
        _fake.Server.ClearRequests();

        var pages = new List<int>();
        await foreach (var page in _backend.Runs.ListAsync().AsPages(pageSizeHint: 2))
        {
            pages.Add(page.Values.Count);
        }

        pages.Should().Equal(2, 2, 1);
        _fake.Server.Operations().Should().HaveCount(3);
    }

    [Fact]
    public async Task Metric_predicates_and_tracking_are_not_supported_and_send_nothing()
    {
        var byMetric = async () => await _backend.Runs.ListAsync(new RunQuery { Metrics = [new MetricPredicate("acc", ComparisonOperator.GreaterThan, 0.9)] }).ToListAsync();
        var start = () => _backend.Runs.StartAsync("exp");
        var log = () => _backend.Runs.LogBatchAsync("r", new RunLogBatch());

        await byMetric.Should().ThrowAsync<MlopsValidationException>();
        (await start.Should().ThrowAsync<MlopsNotSupportedException>()).Which.Message.Should().Contain("MLflow");
        await log.Should().ThrowAsync<MlopsNotSupportedException>();
        _backend.Capabilities.Supports(MlopsCapability.Metrics).Should().BeFalse();
        _fake.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Cancel_terminates_through_canceling_to_canceled()
    {
        var run = await TriggerAsync();
        _fake.Step();

        await _backend.Runs.CancelAsync(run);
        var canceling = await _backend.Runs.GetAsync(run);
        _fake.Step();
        var canceled = await _backend.Runs.GetAsync(run);

        _fake.Server.Requests.Should().Contain(r => r.Line() == $"POST /apis/v2beta1/runs/{run.Id}:terminate");
        canceling.Status.Should().Be(RunStatus.Running);
        canceling.RawStatus.Should().Be("CANCELING");
        canceled.Status.Should().Be(RunStatus.Canceled);
        canceled.EndTime.Should().NotBeNull();
    }

    [Fact]
    public async Task Retry_restarts_a_failed_run_and_rejects_a_running_one()
    {
        var run = await TriggerAsync();
        var early = () => _backend.Runs.RetryAsync(run);
        (await early.Should().ThrowAsync<MlopsValidationException>()).Which.ErrorCode.Should().Be("FAILED_PRECONDITION");
        _fake.SetRunState(run.Id, "FAILED");

        var retried = await _backend.Runs.RetryAsync(run);

        retried.Status.Should().Be(RunStatus.Running);
        _fake.Server.Requests.Count(r => r.Line() == $"POST /apis/v2beta1/runs/{run.Id}:retry").Should().Be(2, "a retry is not replayed by the resilience layer");
    }

    [Fact]
    public async Task Delete_removes_the_run_and_is_idempotent()
    {
        var run = await TriggerAsync();

        await _backend.Runs.DeleteAsync(run);
        await _backend.Runs.DeleteAsync(run);

        _fake.Server.Requests.Should().Contain(r => r.Line() == $"DELETE /apis/v2beta1/runs/{run.Id}");
        var get = () => _backend.Runs.GetAsync(run);
        await get.Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task Reading_a_node_artifact_decodes_the_base64_data()
    {
        var run = await TriggerAsync();
        _fake.SetNodeArtifact(run.Id, "node-1", "metrics", Encoding.UTF8.GetBytes("hello"));

        var artifacts = (KubeflowNodeArtifacts)_backend.GetService(typeof(KubeflowNodeArtifacts))!;

        await using var stream = await artifacts.ReadAsync(run, "node-1", "metrics");
        var text = await new StreamReader(stream).ReadToEndAsync();
        var missing = () => artifacts.ReadAsync(run, "node-1", "none");

        text.Should().Be("hello");
        _fake.Server.Requests.Should().Contain(r => r.Line() == $"GET /apis/v2beta1/runs/{run.Id}/nodes/node-1/artifacts/metrics:read");
        (await missing.Should().ThrowAsync<MlopsNotFoundException>()).Which.Message.Should().Contain("Artifact none of node node-1 not found");
    }

    [Fact]
    public async Task The_neutral_artifact_operations_are_not_supported_and_send_nothing()
    {
        var download = () => _backend.Runs.DownloadArtifactAsync("r", "node/a");
        var upload = () => _backend.Runs.UploadArtifactAsync("r", "a", new MemoryStream([1]));

        await download.Should().ThrowAsync<MlopsNotSupportedException>();
        await upload.Should().ThrowAsync<MlopsNotSupportedException>();
        _backend.Capabilities.Supports(MlopsCapability.Artifacts).Should().BeFalse();
        _fake.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task The_archive_service_archives_runs_and_deletes_experiments_permanently()
    {
        var archive = (KubeflowArchive)_backend.GetService(typeof(KubeflowArchive))!;
        var experiment = await _backend.Runs.CreateExperimentAsync("x");
        var run = await TriggerAsync("r", experiment.Id);
        _fake.Server.ClearRequests();

        await archive.ArchiveRunAsync(run);
        var archived = await _backend.Runs.GetAsync(run);
        await archive.UnarchiveRunAsync(run);
        await archive.ArchiveExperimentAsync(experiment.Id);
        await archive.UnarchiveExperimentAsync(experiment.Id);
        await archive.DeleteExperimentPermanentlyAsync(experiment.Id);

        archived.Native!.Value.GetProperty("storage_state").GetString().Should().Be("ARCHIVED");
        _fake.Server.Requests.Select(r => r.Line()).Should().Equal(
            $"POST /apis/v2beta1/runs/{run.Id}:archive",
            $"GET /apis/v2beta1/runs/{run.Id}",
            $"POST /apis/v2beta1/runs/{run.Id}:unarchive",
            $"POST /apis/v2beta1/experiments/{experiment.Id}:archive",
            $"POST /apis/v2beta1/experiments/{experiment.Id}:unarchive",
            $"DELETE /apis/v2beta1/experiments/{experiment.Id}");
    }

    [Fact]
    public async Task Schedules_create_with_a_six_field_cron_and_enable_disable_list_get_delete()
    {
        var schedules = (KubeflowSchedules)_backend.GetService(typeof(KubeflowSchedules))!;

        var created = await schedules.CreateAsync(new KubeflowScheduleOptions
        {
            Name = "hourly", PipelineId = _pipelineId, Cron = "0 0 * * * *", MaxConcurrency = 2, Parameters = new JsonObject { ["lr"] = 0.1 },
        });
        await schedules.DisableAsync(created.Id);
        var disabled = await schedules.GetAsync(created.Id);
        await schedules.EnableAsync(created.Id);
        var listed = await schedules.ListAsync().ToListAsync();
        await schedules.DeleteAsync(created.Id);

        var r = _fake.Server.Operations();
        r[0].Line().Should().Be("POST /apis/v2beta1/recurringruns");
        JsonNode.DeepEquals(JsonNode.Parse(r[0].Body!), JsonNode.Parse("""
            {"display_name":"hourly","pipeline_version_reference":{"pipeline_id":"PID"},"runtime_config":{"parameters":{"lr":0.1}},
             "max_concurrency":"2","trigger":{"cron_schedule":{"cron":"0 0 * * * *"}},"mode":"ENABLE"}
            """.Replace("PID", _pipelineId, StringComparison.Ordinal))).Should().BeTrue(r[0].Body);
        r.Skip(1).Select(x => x.Line()).Should().Equal(
            $"POST /apis/v2beta1/recurringruns/{created.Id}:disable",
            $"GET /apis/v2beta1/recurringruns/{created.Id}",
            $"POST /apis/v2beta1/recurringruns/{created.Id}:enable",
            "GET /apis/v2beta1/recurringruns?page_size=100&sort_by=created_at%20desc",
            $"DELETE /apis/v2beta1/recurringruns/{created.Id}");
        created.Enabled.Should().BeTrue();
        created.Cron.Should().Be("0 0 * * * *");
        created.MaxConcurrency.Should().Be(2);
        created.Params.Should().Equal(new Dictionary<string, string> { ["lr"] = "0.1" });
        disabled.Enabled.Should().BeFalse();
        listed.Single().Id.Should().Be(created.Id);
    }

    [Fact]
    public async Task Schedules_send_intervals_as_int64_strings()
    {
        var schedules = (KubeflowSchedules)_backend.GetService(typeof(KubeflowSchedules))!;

        var created = await schedules.CreateAsync(new KubeflowScheduleOptions { Name = "every5m", PipelineId = _pipelineId, Interval = TimeSpan.FromMinutes(5) });

        JsonNode.Parse(_fake.Server.Requests.Single().Body!)!["trigger"]!.ToJsonString().Should().Be("""{"periodic_schedule":{"interval_second":"300"}}""");
        created.Interval.Should().Be(TimeSpan.FromMinutes(5));
    }

    [Theory]
    [InlineData("0 * * * *", null, 1, "seconds first")]
    [InlineData("0 0 * * * *", 60, 1, "exactly one")]
    [InlineData(null, null, 1, "exactly one")]
    [InlineData("0 0 * * * *", null, 11, "between 1 and 10")]
    [InlineData("0 0 * * * *", null, 0, "between 1 and 10")]
    public async Task Invalid_schedules_are_rejected_before_sending(string? cron, int? intervalSeconds, int maxConcurrency, string fragment)
    {
        var schedules = (KubeflowSchedules)_backend.GetService(typeof(KubeflowSchedules))!;

        var act = () => schedules.CreateAsync(new KubeflowScheduleOptions
        {
            Name = "bad", PipelineId = _pipelineId, Cron = cron, MaxConcurrency = maxConcurrency,
            Interval = intervalSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
        });

        (await act.Should().ThrowAsync<MlopsValidationException>()).Which.Message.Should().Contain(fragment);
        _fake.Server.Requests.Should().BeEmpty();
    }
}
