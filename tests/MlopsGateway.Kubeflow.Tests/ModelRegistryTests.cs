using System.Text.Json.Nodes;
using MlopsGateway.Kubeflow.Tests.Fakes;
using MlopsGateway.Testing;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>The Model Registry mapping decisions of DESIGN.md §2, on a registry served at its own base URL.</summary>
public sealed class ModelRegistryTests : IAsyncLifetime
{
    private const string Mr = "/api/model_registry/v1alpha3/";
    private KubeflowFake _kfp = null!;
    private KubeflowFake _registry = null!;
    private IMlopsBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _kfp = await KubeflowFake.StartAsync();
        _registry = await KubeflowFake.StartAsync();
        _backend = Harness.Create(_kfp.BaseUri, _registry.BaseUri);
    }

    public async Task DisposeAsync()
    {
        await _kfp.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private IReadOnlyList<RecordedRequest> Requests => _registry.Server.Requests;

    private Task<ModelVersion> CreateVersionAsync(string model, string source = "s3://bucket/model", string? runId = "run-1")
        => _backend.Models.CreateVersionAsync(model, new ModelVersionCreateOptions { Source = source, Run = runId is null ? (RunRef?)null : new RunRef(runId) });

    [Fact]
    public async Task Without_a_registry_url_models_are_not_supported_and_nothing_is_sent()
    {
        var backend = Harness.Create(_kfp.BaseUri);

        var act = () => backend.Models.CreateModelAsync("m");

        (await act.Should().ThrowAsync<MlopsNotSupportedException>()).Which.Message.Should().Contain("Endpoints:ModelRegistry:BaseUrl");
        backend.Capabilities.Supports(MlopsCapability.ModelRegistry).Should().BeFalse();
        _kfp.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Registry_requests_go_to_the_registry_base_url_with_the_core_auth()
    {
        await _backend.Models.CreateModelAsync("fraud", new ModelCreateOptions { Description = "d", Tags = new Dictionary<string, string> { ["team"] = "risk" } });

        _kfp.Server.Requests.Should().BeEmpty();
        var request = Requests.Single();
        request.Line().Should().Be($"POST {Mr}registered_models");
        request.Header("Authorization").Should().Be("Bearer test-token");
        JsonNode.DeepEquals(JsonNode.Parse(request.Body!), JsonNode.Parse("""
            {"name":"fraud","description":"d","state":"LIVE","customProperties":{"team":{"metadataType":"MetadataStringValue","string_value":"risk"}}}
            """)).Should().BeTrue(request.Body);
    }

    [Fact]
    public async Task Versions_are_numbered_and_carry_their_artifact()
    {
        await _backend.Models.CreateModelAsync("m");
        _registry.Server.ClearRequests();

        var v1 = await CreateVersionAsync("m", "s3://bucket/m/1", "run-7");
        var v2 = await CreateVersionAsync("m");

        v1.Version.Should().Be("1");
        v2.Version.Should().Be("2");
        v1.Source.Should().Be("s3://bucket/m/1");
        v1.RunId.Should().Be("run-7");
        var artifactPost = Requests.First(r => r.Method == "POST" && r.Path.EndsWith("/artifacts", StringComparison.Ordinal));
        JsonNode.DeepEquals(JsonNode.Parse(artifactPost.Body!), JsonNode.Parse("""
            {"name":"m","artifactType":"model-artifact","uri":"s3://bucket/m/1","modelSourceKind":"kfp","modelSourceClass":"pipelinerun","modelSourceId":"run-7"}
            """)).Should().BeTrue(artifactPost.Body);
        var read = await _backend.Models.GetVersionAsync("m", "1");
        read.Source.Should().Be("s3://bucket/m/1");
        read.RunId.Should().Be("run-7");
    }

    [Fact]
    public async Task A_version_number_taken_concurrently_is_retried_with_a_fresh_count()
    {
        await _backend.Models.CreateModelAsync("m");
        _registry.Server.ClearRequests();
        _registry.FailNext("POST", Mr + "model_versions", 409, """{"code":"CONFLICT","message":"model version with name 1 already exists"}""");

        var version = await CreateVersionAsync("m");

        version.Version.Should().Be("1");
        Requests.Count(r => r.Method == "POST" && r.Path == Mr + "model_versions").Should().Be(2);
        Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/versions", StringComparison.Ordinal)).Should().Be(2, "the number is recounted before the retry");
    }

    [Fact]
    public async Task A_failed_artifact_call_archives_the_half_made_version()
    {
        await _backend.Models.CreateModelAsync("m");
        _registry.FailNext("POST", Mr + "model_versions/", 500, """{"code":"INTERNAL","message":"storage unavailable"}""");

        var act = () => CreateVersionAsync("m");

        (await act.Should().ThrowAsync<MlopsUnavailableException>()).Which.Message.Should().Contain("storage unavailable");
        _registry.ModelVersions("m").Single()["state"]!.GetValue<string>().Should().Be("ARCHIVED");
        var get = () => _backend.Models.GetVersionAsync("m", "1");
        await get.Should().ThrowAsync<MlopsNotFoundException>();
        (await CreateVersionAsync("m")).Version.Should().Be("2", "an archived version keeps its number");
    }

    [Fact]
    public async Task Aliases_move_with_one_patch_of_the_model_and_keep_the_tags()
    {
        await _backend.Models.CreateModelAsync("m", new ModelCreateOptions { Tags = new Dictionary<string, string> { ["team"] = "risk" } });
        await CreateVersionAsync("m");
        await CreateVersionAsync("m");
        await _backend.Models.SetAliasAsync("m", "champion", "1");
        _registry.Server.ClearRequests();

        await _backend.Models.SetAliasAsync("m", "champion", "2");

        var patch = Requests.Single(r => r.Method == "PATCH");
        patch.Path.Should().StartWith(Mr + "registered_models/");
        var properties = JsonNode.Parse(patch.Body!)!["customProperties"]!;
        properties["team"]!["string_value"]!.GetValue<string>().Should().Be("risk");
        properties["mlops.aliases"]!["string_value"]!.GetValue<string>().Should().Be("""{"champion":"2"}""");
        (await _backend.Models.GetModelAsync("m")).Aliases.Should().Equal(new Dictionary<string, string> { ["champion"] = "2" });
        (await _backend.Models.GetVersionByAliasAsync("m", "champion")).Version.Should().Be("2");
    }

    [Fact]
    public async Task Deleting_a_version_drops_the_aliases_pointing_at_it()
    {
        await _backend.Models.CreateModelAsync("m");
        await CreateVersionAsync("m");
        await _backend.Models.SetAliasAsync("m", "champion", "1");

        await _backend.Models.DeleteVersionAsync("m", "1");

        (await _backend.Models.GetModelAsync("m")).Aliases.Should().BeEmpty();
        (await _backend.Models.ListVersionsAsync("m").ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_archives_the_model_which_then_reads_as_gone_while_its_name_stays_reserved()
    {
        await _backend.Models.CreateModelAsync("m");
        await _backend.Models.CreateModelAsync("other");
        _registry.Server.ClearRequests();

        await _backend.Models.DeleteModelAsync("m");

        var patch = Requests.Single(r => r.Method == "PATCH");
        patch.Body.Should().Be("""{"state":"ARCHIVED"}""");
        _registry.Model("m")["state"]!.GetValue<string>().Should().Be("ARCHIVED");
        var get = () => _backend.Models.GetModelAsync("m");
        (await get.Should().ThrowAsync<MlopsNotFoundException>()).Which.Message.Should().Contain("name stays reserved");
        (await _backend.Models.ListModelsAsync().ToListAsync()).Select(m => m.Name).Should().Equal("other");
        var again = () => _backend.Models.CreateModelAsync("m");
        await again.Should().ThrowAsync<MlopsConflictException>();
    }

    [Fact]
    public async Task Stages_renames_and_files_are_not_supported_and_send_nothing()
    {
        var stage = () => _backend.Models.TransitionStageAsync("m", "1", "Production");
        var rename = () => _backend.Models.RenameModelAsync("m", "n");
        var files = async () => await _backend.Models.ListVersionFilesAsync("m", "1").ToListAsync();

        await stage.Should().ThrowAsync<MlopsNotSupportedException>();
        await rename.Should().ThrowAsync<MlopsNotSupportedException>();
        await files.Should().ThrowAsync<MlopsNotSupportedException>();
        Requests.Should().BeEmpty();
    }
}
