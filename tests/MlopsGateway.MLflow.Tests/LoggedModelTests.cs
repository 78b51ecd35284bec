namespace MlopsGateway.MLflow.Tests;

/// <summary>MLflow 3 logged models through <see cref="MLflowTrackingClient"/>: refused before sending on 2.x, exact wire (digest §12) on 3.x.</summary>
public sealed class LoggedModelTests
{
    [Fact]
    public async Task On_a_2_17_server_every_logged_model_call_is_not_supported_and_only_the_version_probe_is_sent()
    {
        await using var h = await MLflowHarness.StartAsync();

        var create = (await h.Tracking.Invoking(t => t.CreateLoggedModelAsync("0")).Should().ThrowAsync<MlopsNotSupportedException>()).Which;
        await h.Tracking.Invoking(t => t.GetLoggedModelAsync("m-0123")).Should().ThrowAsync<MlopsNotSupportedException>();
        await h.Tracking.Invoking(t => t.FinalizeLoggedModelAsync("m-0123", MLflowLoggedModelStatus.Ready)).Should().ThrowAsync<MlopsNotSupportedException>();
        var search = h.Tracking.SearchLoggedModelsAsync(["0"]);
        await search.Invoking(s => s.ToListAsync()).Should().ThrowAsync<MlopsNotSupportedException>();

        create.Message.Should().Contain("3.0.0").And.Contain("2.17.2").And.Contain("CreateLoggedModel");
        h.Fake.Requests.Select(r => r.Path).Should().Equal(new[] { "/version" }, "the version is probed once and no logged-model request is sent");
    }

    [Fact]
    public async Task On_a_3_x_server_create_get_finalize_use_the_logged_model_routes()
    {
        await using var h = await MLflowHarness.StartAsync();
        h.Fake.Version = "3.1.0";
        var run = await h.Runs.CreateRunAsync("0");
        h.Fake.ClearRequests();

        var created = await h.Tracking.CreateLoggedModelAsync("0", new MLflowLoggedModelCreateOptions
        {
            Name = "cnn", ModelType = "classifier", SourceRunId = run.Id,
            Params = new Dictionary<string, string> { ["lr"] = "0.01" }, Tags = new Dictionary<string, string> { ["team"] = "vision" },
        });

        var post = h.Calls("logged-models").Single();
        post.Method.Should().Be("POST");
        post.Header("Content-Type").Should().StartWith("application/json");
        MLflowHarness.Body(post).ToJsonString().Should().Be(
            $$"""{"experiment_id":"0","name":"cnn","model_type":"classifier","source_run_id":"{{run.Id}}","params":[{"key":"lr","value":"0.01"}],"tags":[{"key":"team","value":"vision"}]}""");
        created.Id.Should().MatchRegex("^m-[0-9a-f]{32}$");
        created.Status.Should().Be(MLflowLoggedModelStatus.Pending);
        created.Name.Should().Be("cnn");
        created.ExperimentId.Should().Be("0");
        created.ModelType.Should().Be("classifier");
        created.SourceRunId.Should().Be(run.Id);
        created.ArtifactUri.Should().Be($"mlflow-artifacts:/0/models/{created.Id}/artifacts");
        created.Params.Should().Equal(new Dictionary<string, string> { ["lr"] = "0.01" });
        created.Tags.Should().Equal(new Dictionary<string, string> { ["team"] = "vision" });
        created.CreatedAt.Should().NotBeNull();
        created.Native!.Value.GetProperty("info").GetProperty("model_id").GetString().Should().Be(created.Id);

        var read = await h.Tracking.GetLoggedModelAsync(created.Id);
        read.Name.Should().Be("cnn");
        var get = h.Fake.Requests[^1];
        (get.Method, get.Path, get.Query).Should().Be(("GET", $"/api/2.0/mlflow/logged-models/{created.Id}", ""));

        var ready = await h.Tracking.FinalizeLoggedModelAsync(created.Id, MLflowLoggedModelStatus.Ready);
        ready.Status.Should().Be(MLflowLoggedModelStatus.Ready);
        var patch = h.Fake.Requests[^1];
        (patch.Method, patch.Path).Should().Be(("PATCH", $"/api/2.0/mlflow/logged-models/{created.Id}"));
        MLflowHarness.Body(patch).ToJsonString().Should().Be($$"""{"model_id":"{{created.Id}}","status":"LOGGED_MODEL_READY"}""", "MLflow 3.11 was recorded taking the enum name (and refusing a bare READY)");
        await h.Tracking.Invoking(t => t.FinalizeLoggedModelAsync(created.Id, MLflowLoggedModelStatus.Pending)).Should().ThrowAsync<MlopsValidationException>();

        await h.Tracking.Invoking(t => t.GetLoggedModelAsync("m-00000000000000000000000000000000")).Should().ThrowAsync<MlopsNotFoundException>();
        h.Fake.Requests.Count(r => r.Path == "/version").Should().Be(1, "the version is probed once for all calls");
    }

    [Fact]
    public async Task On_a_3_x_server_search_pages_with_the_same_query_and_filters()
    {
        await using var h = await MLflowHarness.StartAsync();
        h.Fake.Version = "3.2.0";
        await h.Tracking.CreateLoggedModelAsync("0", new MLflowLoggedModelCreateOptions { Name = "a", Params = new Dictionary<string, string> { ["lr"] = "0.1" } });
        await h.Tracking.CreateLoggedModelAsync("0", new MLflowLoggedModelCreateOptions { Name = "b", Params = new Dictionary<string, string> { ["lr"] = "0.01" } });
        h.Fake.ClearRequests();

        var all = await h.Tracking.SearchLoggedModelsAsync(["0"], pageSize: 1).ToListAsync();

        all.Select(m => m.Name).Should().Equal("b", "a");
        var calls = h.Calls("logged-models/search");
        calls.Should().HaveCount(2).And.OnlyContain(c => c.Method == "POST");
        MLflowHarness.Body(calls[0]).ToJsonString().Should().Be("""{"experiment_ids":["0"],"max_results":1}""");
        var second = MLflowHarness.Body(calls[1]);
        second["page_token"]!.GetValue<string>().Should().NotBeEmpty();
        second.Remove("page_token");
        second.ToJsonString().Should().Be("""{"experiment_ids":["0"],"max_results":1}""", "the token is only valid with the same query");

        var filtered = await h.Tracking.SearchLoggedModelsAsync(["0"], "params.lr = '0.01'").ToListAsync();
        filtered.Should().ContainSingle().Which.Name.Should().Be("b");
        MLflowHarness.Body(h.Calls("logged-models/search")[^1])["max_results"]!.GetValue<int>().Should().Be(100);
        (await h.Tracking.SearchLoggedModelsAsync(["42"]).ToListAsync()).Should().BeEmpty("a missing models list is an empty page");
        h.Tracking.Invoking(t => t.SearchLoggedModelsAsync([])).Should().Throw<MlopsValidationException>();
    }
}
