using System.Text;

namespace MlopsGateway.MLflow.Tests;

/// <summary>Artifacts through the proxy, the model registry, and the MLflow-specific tracking service.</summary>
public sealed class ArtifactAndRegistryTests
{
    [Fact]
    public async Task Upload_streams_to_the_proxy_under_the_runs_artifact_root_and_download_and_list_read_it_back()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        h.Fake.ClearRequests();

        await h.Runs.UploadArtifactAsync(run, "notes/hello world.txt", RunClientTests.Utf8("hello\n"));
        await h.Runs.UploadArtifactAsync(run, "model/meta/info.json", RunClientTests.Utf8("{}"));

        var put = h.Fake.Requests.First(r => r.Method == "PUT");
        put.Path.Should().Be($"/api/2.0/mlflow-artifacts/artifacts/0/{run.Id}/artifacts/notes/hello world.txt");
        put.Header("Content-Type").Should().Be("application/octet-stream");
        h.Calls("runs/get").Should().ContainSingle("the artifact root is read once and cached");
        h.Fake.Artifact($"0/{run.Id}/artifacts/notes/hello world.txt").Should().Equal(Encoding.UTF8.GetBytes("hello\n"));

        await using (var stream = await h.Runs.DownloadArtifactAsync(run, "notes/hello world.txt"))
        using (var reader = new StreamReader(stream))
        {
            (await reader.ReadToEndAsync()).Should().Be("hello\n");
        }

        var root = await h.Runs.ListArtifactsAsync(run).ToListAsync();
        root.Should().BeEquivalentTo([new ArtifactInfo("model", true), new ArtifactInfo("notes", true)]);
        var notes = await h.Runs.ListArtifactsAsync(run, "notes").ToListAsync();
        notes.Should().Equal(new ArtifactInfo("notes/hello world.txt", false, 6));
        (await h.Runs.ListArtifactsAsync(run, "missing").ToListAsync()).Should().BeEmpty();
        h.Calls("artifacts/list")[^1].Query.Should().Be($"?run_id={run.Id}&path=missing");
    }

    [Fact]
    public async Task Zero_byte_artifacts_list_with_size_zero()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        await h.Runs.UploadArtifactAsync(run, "empty.txt", new MemoryStream());
        (await h.Runs.ListArtifactsAsync(run).ToListAsync()).Should().Equal(new ArtifactInfo("empty.txt", false, 0));
    }

    [Fact]
    public async Task A_missing_artifact_is_not_found_after_exactly_one_request()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        await h.Runs.GetAsync(run);
        h.Fake.ClearRequests();
        await h.Runs.UploadArtifactAsync(run, "present.txt", RunClientTests.Utf8("x"));
        h.Fake.ClearRequests();

        var thrown = (await h.Runs.Invoking(r => r.DownloadArtifactAsync(run, "nope.txt")).Should().ThrowAsync<MlopsNotFoundException>()).Which;

        thrown.Status.Should().Be(500);
        thrown.ErrorCode.Should().Be("INTERNAL_ERROR");
        thrown.Message.Should().NotContain("/data/", "server paths stay out of messages");
        h.Fake.Requests.Should().ContainSingle("the 500 for a missing file is permanent, not retried");
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("a/../../b")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\b")]
    [InlineData("a//b")]
    [InlineData("./a")]
    public async Task Path_traversal_is_rejected_before_any_request(string path)
    {
        await using var h = await MLflowHarness.StartAsync();
        await h.Runs.Invoking(r => r.UploadArtifactAsync("r", path, new MemoryStream())).Should().ThrowAsync<MlopsValidationException>();
        await h.Runs.Invoking(r => r.DownloadArtifactAsync("r", path)).Should().ThrowAsync<MlopsValidationException>();
        await h.Runs.Invoking(r => r.ListArtifactsAsync("r", path).ToListAsync()).Should().ThrowAsync<MlopsValidationException>();
        await h.Models.Invoking(m => m.DownloadVersionFileAsync("m", "1", path)).Should().ThrowAsync<MlopsValidationException>();
        h.Fake.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_run_whose_artifacts_are_not_proxied_is_not_supported_naming_the_uri()
    {
        await using var h = await MLflowHarness.StartAsync();
        var experiment = await h.Runs.CreateExperimentAsync("s3", new ExperimentCreateOptions { ArtifactLocation = "s3://bucket/mlflow" });
        var run = await h.Runs.CreateRunAsync(experiment.Id);

        var thrown = (await h.Runs.Invoking(r => r.UploadArtifactAsync(run, "a.txt", new MemoryStream())).Should().ThrowAsync<MlopsNotSupportedException>()).Which;
        thrown.Message.Should().Contain($"s3://bucket/mlflow/{run.Id}/artifacts");
        h.Fake.Requests.Should().NotContain(r => r.Method == "PUT");
    }

    [Fact]
    public async Task Registry_models_round_trip_with_json_bodies_on_patch_and_delete()
    {
        await using var h = await MLflowHarness.StartAsync();
        var created = await h.Models.CreateModelAsync("model", new ModelCreateOptions { Description = "d", Tags = new Dictionary<string, string> { ["owner"] = "me" } });
        created.Description.Should().Be("d");
        created.Tags.Should().Contain("owner", "me");
        await h.Models.Invoking(m => m.CreateModelAsync("model")).Should().ThrowAsync<MlopsConflictException>();

        var updated = await h.Models.UpdateModelAsync("model", new ModelUpdate { Description = "patched" });
        updated.Description.Should().Be("patched");
        var patch = h.Calls("registered-models/update").Single();
        patch.Method.Should().Be("PATCH");
        MLflowHarness.Body(patch).ToJsonString().Should().Be("""{"name":"model","description":"patched"}""");

        await h.Models.SetModelTagAsync("model", "tier", "gold");
        await h.Models.DeleteModelTagAsync("model", "owner");
        var deleteTag = h.Calls("registered-models/delete-tag").Single();
        deleteTag.Method.Should().Be("DELETE");
        deleteTag.Query.Should().BeEmpty();
        MLflowHarness.Body(deleteTag).ToJsonString().Should().Be("""{"name":"model","key":"owner"}""");
        (await h.Models.GetModelAsync("model")).Tags.Should().Equal(new Dictionary<string, string> { ["tier"] = "gold" });

        var renamed = await h.Models.RenameModelAsync("model", "model2");
        renamed.Name.Should().Be("model2");
        await h.Models.Invoking(m => m.GetModelAsync("model")).Should().ThrowAsync<MlopsNotFoundException>();
        await h.Models.DeleteModelAsync("model2");
        MLflowHarness.Body(h.Calls("registered-models/delete").Single()).ToJsonString().Should().Be("""{"name":"model2"}""");
        await h.Models.Invoking(m => m.GetModelAsync("model2")).Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task Listing_models_pages_with_get_query_parameters_and_filters_by_name_and_tags()
    {
        await using var h = await MLflowHarness.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            await h.Models.CreateModelAsync($"rm-{i}", new ModelCreateOptions { Tags = new Dictionary<string, string> { ["batch"] = i % 2 == 0 ? "even" : "odd" } });
        }
        await h.Models.CreateModelAsync("other");
        h.Fake.ClearRequests();

        var models = await h.Models.ListModelsAsync(new ModelQuery { NameContains = "rm-", Tags = new Dictionary<string, string> { ["batch"] = "even" }, PageSize = 2 }).ToListAsync();

        models.Select(m => m.Name).Should().Equal("rm-0", "rm-2", "rm-4", "rm-6");
        var searches = h.Calls("registered-models/search");
        searches.Should().HaveCount(2);
        searches[0].Method.Should().Be("GET");
        searches[0].Query.Should().Be("?filter=name%20LIKE%20%27%25rm-%25%27%20AND%20tags.batch%20%3D%20%27even%27&max_results=2&order_by=name%20ASC");
        searches[1].Query.Should().EndWith("&page_token=eyJvZmZzZXQiOiAyfQ%3D%3D");
    }

    [Fact]
    public async Task Versions_aliases_stages_and_files()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        await h.Runs.UploadArtifactAsync(run, "model/MLmodel", RunClientTests.Utf8("flavors: {}"));
        await h.Runs.UploadArtifactAsync(run, "model/data/weights.bin", new MemoryStream([1, 2, 3]));
        await h.Models.CreateModelAsync("m");
        h.Fake.ClearRequests();

        var v1 = await h.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = $"runs:/{run.Id}/model", Run = run, Description = "first" });
        var v2 = await h.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = run.ArtifactLocation + "/model", Run = run, Tags = new Dictionary<string, string> { ["validated"] = "true" } });

        v1.Version.Should().Be("1");
        v2.Version.Should().Be("2");
        v1.RunId.Should().Be(run.Id);
        v1.Stage.Should().Be("None");
        v1.Status.Should().Be("READY");
        MLflowHarness.Body(h.Calls("model-versions/create")[0]).ToJsonString().Should()
            .Be($$"""{"name":"m","source":"runs:/{{run.Id}}/model","run_id":"{{run.Id}}","description":"first"}""");

        await h.Models.SetAliasAsync("m", "champion", "2");
        var champion = await h.Models.GetVersionByAliasAsync("m", "champion");
        champion.Version.Should().Be("2");
        champion.Aliases.Should().Equal("champion");
        (await h.Models.GetModelAsync("m")).Aliases.Should().Equal(new Dictionary<string, string> { ["champion"] = "2" });
        h.Calls("registered-models/alias")[^1].Query.Should().Be("?name=m&alias=champion");
        await h.Models.Invoking(m => m.GetVersionByAliasAsync("m", "nope")).Should().ThrowAsync<MlopsNotFoundException>("an unknown alias answers 400 INVALID_PARAMETER_VALUE");
        await h.Models.Invoking(m => m.SetAliasAsync("m", "latest", "1")).Should().ThrowAsync<MlopsValidationException>();
        await h.Models.DeleteAliasAsync("m", "champion");
        MLflowHarness.Body(h.Calls("registered-models/alias").Last(r => r.Method == "DELETE")).ToJsonString().Should().Be("""{"name":"m","alias":"champion"}""");

        (await h.Models.TransitionStageAsync("m", "1", "Production")).Stage.Should().Be("Production");
        (await h.Models.TransitionStageAsync("m", "2", "production", archiveExistingVersions: true)).Stage.Should().Be("Production");
        (await h.Models.GetVersionAsync("m", "1")).Stage.Should().Be("Archived");
        await h.Models.Invoking(m => m.TransitionStageAsync("m", "1", "Bogus")).Should().ThrowAsync<MlopsValidationException>();

        (await h.Models.UpdateVersionAsync("m", "1", new ModelUpdate { Description = "patched" })).Description.Should().Be("patched");
        await h.Models.SetVersionTagAsync("m", "1", "k", "v");
        (await h.Models.GetVersionAsync("m", "1")).Tags["k"].Should().Be("v");
        await h.Models.DeleteVersionTagAsync("m", "1", "k");
        (await h.Models.GetVersionAsync("m", "1")).Tags.Should().BeEmpty();

        var byRun = await h.Models.ListVersionsAsync("m", new ModelVersionQuery { RunId = run.Id, PageSize = 1 }).ToListAsync();
        byRun.Select(v => v.Version).Should().Equal("2", "1");
        h.Calls("model-versions/search")[0].Query.Should().Contain("order_by=version_number%20DESC").And.Contain("max_results=1");

        var files = await h.Models.ListVersionFilesAsync("m", "1").ToListAsync();
        files.Should().BeEquivalentTo([new ArtifactInfo("MLmodel", false, 11), new ArtifactInfo("data", true)]);
        (await h.Models.ListVersionFilesAsync("m", "2", "data").ToListAsync()).Should().Equal(new ArtifactInfo("data/weights.bin", false, 3));
        await using (var weights = await h.Models.DownloadVersionFileAsync("m", "1", "data/weights.bin"))
        {
            var buffer = new MemoryStream();
            await weights.CopyToAsync(buffer);
            buffer.ToArray().Should().Equal(1, 2, 3);
        }

        await h.Models.DeleteVersionAsync("m", "1");
        await h.Models.Invoking(m => m.GetVersionAsync("m", "1")).Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task Create_version_is_never_retried()
    {
        await using var h = await MLflowHarness.StartAsync();
        await h.Models.CreateModelAsync("m");
        h.Fake.Intercept = r => r.Path.EndsWith("model-versions/create", StringComparison.Ordinal) ? (503, "{}", "application/json") : null;
        await h.Models.Invoking(m => m.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://b/m" })).Should().ThrowAsync<MlopsUnavailableException>();
        h.Calls("model-versions/create").Should().ContainSingle();
    }

    [Fact]
    public async Task A_non_proxied_version_source_is_not_supported_naming_the_uri()
    {
        await using var h = await MLflowHarness.StartAsync();
        await h.Models.CreateModelAsync("m");
        await h.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://bucket/models/m/1" });

        var thrown = (await h.Models.Invoking(m => m.DownloadVersionFileAsync("m", "1", "MLmodel")).Should().ThrowAsync<MlopsNotSupportedException>()).Which;
        thrown.Message.Should().Contain("s3://bucket/models/m/1");
        (await h.Models.Invoking(m => m.ListVersionFilesAsync("m", "1").ToListAsync()).Should().ThrowAsync<MlopsNotSupportedException>())
            .Which.Message.Should().Contain("s3://bucket/models/m/1");
        h.Fake.Requests.Should().NotContain(r => r.Path.Contains("mlflow-artifacts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Registry_tag_values_over_5000_characters_are_rejected_client_side()
    {
        await using var h = await MLflowHarness.StartAsync();
        await h.Models.Invoking(m => m.CreateModelAsync("m", new ModelCreateOptions { Tags = new Dictionary<string, string> { ["big"] = new string('r', 5001) } }))
            .Should().ThrowAsync<MlopsValidationException>();
        h.Fake.ApiRequests.Should().BeEmpty("a 2.17 server refuses such a value: only the version is asked");
    }

    [Fact]
    public async Task Registry_tag_values_up_to_100000_characters_are_sent_to_a_3_x_server()
    {
        await using var h = await MLflowHarness.StartAsync();
        h.Fake.Version = "3.11.2.dev0";
        await h.Models.CreateModelAsync("m");
        await h.Models.SetModelTagAsync("m", "long", new string('w', 5001));
        (await h.Models.GetModelAsync("m")).Tags["long"].Should().HaveLength(5001);
        await h.Models.Invoking(m => m.SetModelTagAsync("m", "huge", new string('w', 100_001))).Should().ThrowAsync<MlopsValidationException>();
        h.Fake.Requests.Count(r => r.Path == "/version").Should().Be(1);
    }

    [Fact]
    public async Task Tracking_service_logs_dataset_inputs_and_experiment_tags()
    {
        await using var h = await MLflowHarness.StartAsync();
        h.Backend.GetService(typeof(MLflowTrackingClient)).Should().BeSameAs(h.Tracking);
        var run = await h.Runs.CreateRunAsync("0");

        await h.Tracking.LogInputsAsync(run, [new MLflowDataset("iris", "d41d8cd9", "http", """{"url": "https://example.org/iris.csv"}""") { Context = "training", Profile = """{"num_rows": 150}""" }]);

        MLflowHarness.Body(h.Calls("runs/log-inputs").Single()).ToJsonString().Should().Be(
            $$$"""{"run_id":"{{{run.Id}}}","datasets":[{"tags":[{"key":"mlflow.data.context","value":"training"}],"dataset":{"name":"iris","digest":"d41d8cd9","source_type":"http","source":"{\u0022url\u0022: \u0022https://example.org/iris.csv\u0022}","profile":"{\u0022num_rows\u0022: 150}"}}]}""");
        (await h.Runs.ListAsync(new RunQuery { ExperimentIds = ["0"], NativeFilter = "datasets.name = 'iris'" }).ToListAsync()).Should().ContainSingle();
        await h.Tracking.Invoking(t => t.LogInputsAsync(run, [new MLflowDataset("d", new string('x', 37), "local", "{}")])).Should().ThrowAsync<MlopsValidationException>();

        await h.Tracking.SetExperimentTagAsync("0", "team", "dotnet");
        (await h.Runs.GetExperimentAsync("0")).Tags["team"].Should().Be("dotnet");
        await h.Tracking.RenameExperimentAsync("0", "renamed");
        (await h.Runs.GetExperimentAsync("0")).Name.Should().Be("renamed");
    }

    [Fact]
    public async Task Experiment_tag_delete_needs_3_2_and_is_refused_on_2_17_before_sending_it()
    {
        await using var h = await MLflowHarness.StartAsync();

        var thrown = (await h.Tracking.Invoking(t => t.DeleteExperimentTagAsync("0", "team")).Should().ThrowAsync<MlopsNotSupportedException>()).Which;

        thrown.Message.Should().Contain("3.2.0").And.Contain("2.17.2");
        h.Fake.Requests.Select(r => r.Path).Should().Equal("/version");
        await h.Tracking.Invoking(t => t.DeleteExperimentTagAsync("0", "team")).Should().ThrowAsync<MlopsNotSupportedException>();
        h.Fake.Requests.Should().ContainSingle("the version is probed once and cached");
        (await h.Tracking.GetServerVersionAsync()).Should().Be(new Version(2, 17, 2));
    }
}
