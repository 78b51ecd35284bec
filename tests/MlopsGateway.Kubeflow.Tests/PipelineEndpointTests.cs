using System.Text;
using System.Text.Json.Nodes;
using MlopsGateway.Kubeflow.Tests.Fakes;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>Exact wire traffic of the pipeline, version and trigger endpoints against the stateful fake.</summary>
public sealed class PipelineEndpointTests : IAsyncLifetime
{
    private KubeflowFake _fake = null!;
    private IMlopsBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _fake = await KubeflowFake.StartAsync();
        _backend = Harness.Create(_fake.BaseUri);
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private async Task<Pipeline> UploadAsync(string name, string? description = null)
        => await _backend.Pipelines.UploadAsync(new PipelineUpload
        {
            Name = name,
            Description = description,
            FileName = name + ".yaml",
            Content = new MemoryStream(Encoding.UTF8.GetBytes("pipelineInfo:\n  name: " + name + "\n")),
        });

    [Fact]
    public async Task Upload_sends_the_file_as_the_uploadfile_part_with_metadata_in_the_query_string()
    {
        var pipeline = await UploadAsync("train demo", "a demo");

        var request = _fake.Server.Requests.Single();
        request.Line().Should().Be("POST /apis/v2beta1/pipelines/upload?name=train%20demo&display_name=train%20demo&description=a%20demo");
        request.Header("Content-Type").Should().StartWith("multipart/form-data");
        request.Body.Should().Contain("Content-Disposition: form-data; name=\"uploadfile\"; filename=\"train demo.yaml\"").And.Contain("pipelineInfo:");
        request.Header("Authorization").Should().Be("Bearer test-token");
        pipeline.Name.Should().Be("train demo");
        pipeline.Description.Should().Be("a demo");
        pipeline.Backend.Should().Be(Harness.Name);
    }

    [Fact]
    public async Task A_duplicate_upload_maps_the_v1_error_shape_to_conflict()
    {
        await UploadAsync("dup");

        var act = () => UploadAsync("dup");

        var error = (await act.Should().ThrowAsync<MlopsConflictException>()).Which;
        error.Message.Should().Contain("Pipeline with name dup already exists");
        error.Status.Should().Be(409);
    }

    [Fact]
    public async Task A_streamed_upload_is_never_retried()
    {
        _fake.FailNext("POST", "/apis/v2beta1/pipelines/upload", 503, """{"error_message":"busy","error_details":"busy"}""");

        var act = () => UploadAsync("once");

        await act.Should().ThrowAsync<MlopsUnavailableException>();
        _fake.Server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Upload_version_uses_the_pipelineid_query_key_without_underscore()
    {
        var pipeline = await UploadAsync("p");
        _fake.Server.ClearRequests();

        var version = await _backend.Pipelines.UploadVersionAsync(pipeline.Id, new PipelineUpload { Name = "v2", Content = new MemoryStream("x"u8.ToArray()) });

        _fake.Server.Requests.Single().Line().Should().Be($"POST /apis/v2beta1/pipelines/upload_version?name=v2&display_name=v2&pipelineid={pipeline.Id}");
        version.PipelineId.Should().Be(pipeline.Id);
        version.Name.Should().Be("v2");
    }

    [Fact]
    public async Task Get_get_by_name_and_not_found_use_the_documented_paths_and_the_detail_message()
    {
        var pipeline = await UploadAsync("by-name");
        _fake.Server.ClearRequests();

        (await _backend.Pipelines.GetAsync(pipeline.Id)).Name.Should().Be("by-name");
        (await _backend.Pipelines.GetByNameAsync("by-name")).Id.Should().Be(pipeline.Id);
        var missing = () => _backend.Pipelines.GetByNameAsync("no such");

        var error = (await missing.Should().ThrowAsync<MlopsNotFoundException>()).Which;
        error.Message.Should().Contain("Pipeline with name no such not found").And.NotContain("wrapped:");
        error.ErrorCode.Should().Be("NOT_FOUND");
        _fake.Server.Requests.Select(r => r.Line()).Should().Equal(
            $"GET /apis/v2beta1/pipelines/{pipeline.Id}",
            "GET /apis/v2beta1/pipelines/names/by-name",
            "GET /apis/v2beta1/pipelines/names/no such"); // Kestrel decodes the path
    }

    [Fact]
    public async Task List_follows_opaque_page_tokens_until_the_token_is_absent()
    {
        for (var i = 0; i < 5; i++)
        {
            await UploadAsync($"p{i}");
        }
        _fake.Server.ClearRequests();

        var all = new List<Pipeline>();
        await foreach (var page in _backend.Pipelines.ListAsync(new PipelineQuery { NameContains = "p" }).AsPages(pageSizeHint: 2))
        {
            all.AddRange(page.Values);
        }

        all.Select(p => p.Name).Should().BeEquivalentTo(["p0", "p1", "p2", "p3", "p4"]);
        var requests = _fake.Server.Requests;
        requests.Should().HaveCount(3);
        var filter = Uri.EscapeDataString("""{"predicates":[{"key":"name","operation":"IS_SUBSTRING","string_value":"p"}]}""");
        requests[0].Line().Should().Be($"GET /apis/v2beta1/pipelines?page_size=2&sort_by=created_at%20desc&filter={filter}");
        requests[1].Query.Should().Contain("page_token=");
        requests[2].Query.Should().Contain("page_token=");
    }

    [Fact]
    public async Task Page_size_is_capped_at_200()
    {
        await _backend.Pipelines.ListAsync(new PipelineQuery { PageSize = 5000 }).ToListAsync();

        _fake.Server.Requests.Single().Query.Should().Contain("page_size=200");
    }

    [Fact]
    public async Task Delete_cascades_to_the_versions()
    {
        var pipeline = await UploadAsync("gone");
        await _backend.Pipelines.UploadVersionAsync(pipeline.Id, new PipelineUpload { Name = "v2", Content = new MemoryStream("x"u8.ToArray()) });
        _fake.Server.ClearRequests();

        await _backend.Pipelines.DeleteAsync(pipeline.Id);

        _fake.Server.Requests.Single().Line().Should().Be($"DELETE /apis/v2beta1/pipelines/{pipeline.Id}?cascade=true");
        var get = () => _backend.Pipelines.GetAsync(pipeline.Id);
        await get.Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task Versions_list_get_and_delete()
    {
        var pipeline = await UploadAsync("versions");
        var v2 = await _backend.Pipelines.UploadVersionAsync(pipeline.Id, new PipelineUpload { Name = "v2", Content = new MemoryStream("x"u8.ToArray()) });
        _fake.Server.ClearRequests();

        var versions = await _backend.Pipelines.ListVersionsAsync(pipeline.Id).ToListAsync();
        var got = await _backend.Pipelines.GetVersionAsync(pipeline.Id, v2.Id);
        await _backend.Pipelines.DeleteVersionAsync(pipeline.Id, v2.Id);

        versions.Select(v => v.Name).Should().BeEquivalentTo(["versions", "v2"]);
        got.Native!.Value.GetProperty("pipeline_spec").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Object);
        _fake.Server.Requests.Select(r => r.Line()).Should().Equal(
            $"GET /apis/v2beta1/pipelines/{pipeline.Id}/versions?page_size=100&sort_by=created_at%20desc",
            $"GET /apis/v2beta1/pipelines/{pipeline.Id}/versions/{v2.Id}",
            $"DELETE /apis/v2beta1/pipelines/{pipeline.Id}/versions/{v2.Id}");
    }

    [Fact]
    public async Task Trigger_creates_a_run_from_the_pipeline_version_reference_with_any_json_parameters()
    {
        var pipeline = await UploadAsync("trigger");
        _fake.Server.ClearRequests();

        var run = await _backend.Pipelines.TriggerAsync(pipeline.Id, new TriggerOptions
        {
            RunName = "nightly",
            Parameters = new JsonObject { ["lr"] = 0.01, ["epochs"] = 3, ["name"] = "x", ["layers"] = new JsonArray(64, 32) },
        });

        var request = _fake.Server.Requests.Single();
        request.Line().Should().Be("POST /apis/v2beta1/runs");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body!), JsonNode.Parse("""
            {"display_name":"nightly","pipeline_version_reference":{"pipeline_id":"PID"},
             "runtime_config":{"parameters":{"lr":0.01,"epochs":3,"name":"x","layers":[64,32]}}}
            """.Replace("PID", pipeline.Id, StringComparison.Ordinal))).Should().BeTrue(request.Body);
        run.Status.Should().Be(RunStatus.Queued);
        run.PipelineId.Should().Be(pipeline.Id);
        run.PipelineVersionId.Should().NotBeNull("KFP resolves the latest version when none is given");
        run.Params.Should().Equal(new Dictionary<string, string> { ["lr"] = "0.01", ["epochs"] = "3", ["name"] = "x", ["layers"] = "[64,32]" });
    }

    [Fact]
    public async Task Trigger_with_an_explicit_version_and_experiment_sends_them()
    {
        var pipeline = await UploadAsync("explicit");
        var version = await _backend.Pipelines.UploadVersionAsync(pipeline.Id, new PipelineUpload { Name = "v2", Content = new MemoryStream("x"u8.ToArray()) });
        var experiment = await _backend.Runs.CreateExperimentAsync("exp");
        _fake.Server.ClearRequests();

        var run = await _backend.Pipelines.TriggerAsync(pipeline.Id, new TriggerOptions { RunName = "r", VersionId = version.Id, ExperimentId = experiment.Id, Note = "why" });

        var body = JsonNode.Parse(_fake.Server.Requests.Single().Body!)!;
        ((string?)body["pipeline_version_reference"]!["pipeline_version_id"]).Should().Be(version.Id);
        ((string?)body["experiment_id"]).Should().Be(experiment.Id);
        ((string?)body["description"]).Should().Be("why");
        run.ExperimentId.Should().Be(experiment.Id);
        run.PipelineVersionId.Should().Be(version.Id);
    }

    [Fact]
    public async Task Create_run_is_never_retried_once_sent()
    {
        var pipeline = await UploadAsync("no-dup");
        _fake.Server.ClearRequests();
        _fake.FailNext("POST", "/apis/v2beta1/runs", 503, """{"code":14,"message":"upstream connect error"}""");

        var act = () => _backend.Pipelines.TriggerAsync(pipeline.Id, new TriggerOptions { RunName = "once" });

        await act.Should().ThrowAsync<MlopsUnavailableException>();
        _fake.Server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Reads_are_retried_after_a_transient_503()
    {
        var pipeline = await UploadAsync("retry-read");
        _fake.Server.ClearRequests();
        _fake.FailNext("GET", "/apis/v2beta1/pipelines/", 503, """{"code":14,"message":"unavailable"}""");

        (await _backend.Pipelines.GetAsync(pipeline.Id)).Id.Should().Be(pipeline.Id);

        _fake.Server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Trigger_rejects_a_caller_run_id_before_sending()
    {
        var act = () => _backend.Pipelines.TriggerAsync("p", new TriggerOptions { RunId = "mine" });

        (await act.Should().ThrowAsync<MlopsValidationException>()).Which.Message.Should().Contain("assigns run ids");
        _fake.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Task_runs_come_from_run_details()
    {
        var pipeline = await UploadAsync("tasks");
        var run = await _backend.Pipelines.TriggerAsync(pipeline.Id, new TriggerOptions { RunName = "r" });
        _fake.Step();
        _fake.Step();
        _fake.Server.ClearRequests();

        var tasks = await _backend.Pipelines.ListTaskRunsAsync(run).ToListAsync();

        _fake.Server.Requests.Single().Line().Should().Be($"GET /apis/v2beta1/runs/{run.Id}");
        tasks.Select(t => (t.Name, t.Status)).Should().Equal(("train", RunStatus.Succeeded), ("evaluate", RunStatus.Succeeded));
        tasks[0].Native!.Value.GetProperty("pod_name").GetString().Should().Be(run.Id + "-train-pod");
    }

    [Fact]
    public async Task Pause_and_task_logs_are_not_supported_and_send_nothing()
    {
        var pause = () => _backend.Pipelines.PauseAsync("p");
        var logs = async () => await _backend.Pipelines.ReadTaskLogAsync("r", "t").ToListAsync();

        await pause.Should().ThrowAsync<MlopsNotSupportedException>();
        await logs.Should().ThrowAsync<MlopsNotSupportedException>();
        _backend.Capabilities.Supports(MlopsCapability.PipelinePause).Should().BeFalse();
        _backend.Capabilities.Supports(MlopsCapability.TaskLogs).Should().BeFalse();
        _fake.Server.Requests.Should().BeEmpty();
    }
}
