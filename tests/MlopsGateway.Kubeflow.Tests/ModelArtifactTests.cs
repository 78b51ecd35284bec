using System.Text.Json.Nodes;
using MlopsGateway.Kubeflow.Tests.Fakes;
using MlopsGateway.Testing;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary><see cref="KubeflowModelArtifacts"/>: list / get / update of a version's model artifacts, exact wire traffic.</summary>
public sealed class ModelArtifactTests : IAsyncLifetime
{
    private const string Mr = "/api/model_registry/v1alpha3/";
    private KubeflowFake _kfp = null!;
    private KubeflowFake _registry = null!;
    private IMlopsBackend _backend = null!;
    private KubeflowModelArtifacts _artifacts = null!;

    public async Task InitializeAsync()
    {
        _kfp = await KubeflowFake.StartAsync();
        _registry = await KubeflowFake.StartAsync();
        _backend = Harness.Create(_kfp.BaseUri, _registry.BaseUri);
        _artifacts = (KubeflowModelArtifacts)_backend.GetService(typeof(KubeflowModelArtifacts))!;
    }

    public async Task DisposeAsync()
    {
        await _kfp.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private IReadOnlyList<RecordedRequest> Requests => _registry.Server.Requests;

    /// <summary>Model "m" with version "1" whose gateway-made artifact points at s3://b/m/1; returns (version id, artifact id).</summary>
    private async Task<(string VersionId, string ArtifactId)> SeedAsync()
    {
        await _backend.Models.CreateModelAsync("m");
        await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://b/m/1" });
        var versionId = (string)_registry.ModelVersions("m").Single()["id"]!;
        var artifacts = await _artifacts.ListAsync("m", "1").ToListAsync();
        _registry.Server.ClearRequests();
        return (versionId, artifacts.Single().Id);
    }

    [Fact]
    public async Task List_reads_the_model_artifacts_of_the_version_and_skips_other_kinds()
    {
        await _backend.Models.CreateModelAsync("m");
        await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://b/m/1" });
        var versionId = (string)_registry.ModelVersions("m").Single()["id"]!;
        _registry.AddVersionArtifact(versionId, new JsonObject { ["artifactType"] = "doc-artifact", ["name"] = "readme", ["uri"] = "s3://b/m/README.md" });
        var onnxId = _registry.AddVersionArtifact(versionId, new JsonObject
        {
            ["artifactType"] = "model-artifact",
            ["name"] = "m-onnx",
            ["uri"] = "s3://b/m/1.onnx",
            ["state"] = "LIVE",
            ["modelFormatName"] = "onnx",
            ["modelFormatVersion"] = "1",
            ["storageKey"] = "aws-connection-b",
            ["storagePath"] = "m/1.onnx",
            ["customProperties"] = new JsonObject { ["opset"] = new JsonObject { ["metadataType"] = "MetadataIntValue", ["int_value"] = "17" } },
        });
        var modelId = (string)_registry.Model("m")["id"]!;
        _registry.Server.ClearRequests();

        var artifacts = await _artifacts.ListAsync("m", "1", pageSize: 1).ToListAsync();

        artifacts.Select(a => a.Name).Should().Equal("m", "m-onnx");
        artifacts[0].Uri.Should().Be("s3://b/m/1");
        var onnx = artifacts[1];
        onnx.Id.Should().Be(onnxId);
        onnx.Backend.Should().Be(Harness.Name);
        onnx.State.Should().Be("LIVE");
        onnx.ModelFormatName.Should().Be("onnx");
        onnx.ModelFormatVersion.Should().Be("1");
        onnx.StorageKey.Should().Be("aws-connection-b");
        onnx.StoragePath.Should().Be("m/1.onnx");
        onnx.CustomProperties.Should().Equal(new Dictionary<string, string> { ["opset"] = "17" });
        onnx.CreatedAt.Should().NotBeNull();
        onnx.Native!.Value.GetProperty("artifactType").GetString().Should().Be("model-artifact");
        Requests.Select(r => r.Line()).Should().Equal(
            $"GET {Mr}registered_model?name=m",
            $"GET {Mr}model_version?name=1&parentResourceId={modelId}",
            $"GET {Mr}model_versions/{versionId}/artifacts?pageSize=1&orderBy=ID&sortOrder=ASC",
            $"GET {Mr}model_versions/{versionId}/artifacts?pageSize=1&orderBy=ID&sortOrder=ASC&nextPageToken=MQ%3D%3D",
            $"GET {Mr}model_versions/{versionId}/artifacts?pageSize=1&orderBy=ID&sortOrder=ASC&nextPageToken=Mg%3D%3D");
    }

    [Fact]
    public async Task List_of_an_archived_version_is_not_found()
    {
        await SeedAsync();
        await _backend.Models.DeleteVersionAsync("m", "1");

        var act = async () => await _artifacts.ListAsync("m", "1").ToListAsync();

        await act.Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task Get_reads_one_artifact_by_id()
    {
        var (_, artifactId) = await SeedAsync();

        var artifact = await _artifacts.GetAsync(artifactId);

        artifact.Id.Should().Be(artifactId);
        artifact.Uri.Should().Be("s3://b/m/1");
        Requests.Single().Line().Should().Be($"GET {Mr}model_artifacts/{artifactId}");
        var missing = () => _artifacts.GetAsync("999");
        await missing.Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task Update_sends_one_patch_of_the_set_members_only()
    {
        var (_, artifactId) = await SeedAsync();

        var updated = await _artifacts.UpdateAsync(artifactId, new KubeflowModelArtifactUpdate
        {
            Uri = "s3://b/m/1-fixed",
            State = "LIVE",
            ModelFormatName = "sklearn",
            ModelFormatVersion = "1",
            StorageKey = "aws-connection-b",
            StoragePath = "m/1-fixed",
        });

        var patch = Requests.Single();
        patch.Line().Should().Be($"PATCH {Mr}model_artifacts/{artifactId}");
        patch.Header("Authorization").Should().Be("Bearer test-token");
        JsonNode.DeepEquals(JsonNode.Parse(patch.Body!), JsonNode.Parse("""
            {"uri":"s3://b/m/1-fixed","state":"LIVE","modelFormatName":"sklearn","modelFormatVersion":"1","storageKey":"aws-connection-b","storagePath":"m/1-fixed"}
            """)).Should().BeTrue(patch.Body);
        updated.Uri.Should().Be("s3://b/m/1-fixed");
        updated.ModelFormatName.Should().Be("sklearn");
        updated.StoragePath.Should().Be("m/1-fixed");
        ((string?)_registry.Artifact(artifactId)["storageKey"]).Should().Be("aws-connection-b");
        (await _backend.Models.GetVersionAsync("m", "1")).Source.Should().Be("s3://b/m/1-fixed", "the version's Source is its model artifact's URI");
    }

    [Fact]
    public async Task Custom_property_changes_read_first_and_keep_untouched_properties_typed()
    {
        await _backend.Models.CreateModelAsync("m");
        await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://b/m/1" });
        var versionId = (string)_registry.ModelVersions("m").Single()["id"]!;
        var artifactId = _registry.AddVersionArtifact(versionId, new JsonObject
        {
            ["artifactType"] = "model-artifact",
            ["name"] = "other",
            ["customProperties"] = new JsonObject
            {
                ["opset"] = new JsonObject { ["metadataType"] = "MetadataIntValue", ["int_value"] = "17" },
                ["stale"] = new JsonObject { ["metadataType"] = "MetadataStringValue", ["string_value"] = "x" },
            },
        });
        _registry.Server.ClearRequests();

        var updated = await _artifacts.UpdateAsync(artifactId, new KubeflowModelArtifactUpdate
        {
            CustomProperties = new Dictionary<string, string?> { ["team"] = "risk", ["stale"] = null },
        });

        Requests.Select(r => r.Line()).Should().Equal($"GET {Mr}model_artifacts/{artifactId}", $"PATCH {Mr}model_artifacts/{artifactId}");
        JsonNode.DeepEquals(JsonNode.Parse(Requests[1].Body!), JsonNode.Parse("""
            {"customProperties":{
              "opset":{"metadataType":"MetadataIntValue","int_value":"17"},
              "team":{"metadataType":"MetadataStringValue","string_value":"risk"}}}
            """)).Should().BeTrue(Requests[1].Body);
        updated.CustomProperties.Should().Equal(new Dictionary<string, string> { ["opset"] = "17", ["team"] = "risk" });
    }

    [Fact]
    public async Task Update_is_retried_after_a_transient_failure()
    {
        var (_, artifactId) = await SeedAsync();
        _registry.FailNext("PATCH", Mr + "model_artifacts/", 503, """{"code":"UNAVAILABLE","message":"try again"}""");

        var updated = await _artifacts.UpdateAsync(artifactId, new KubeflowModelArtifactUpdate { State = "MARKED_FOR_DELETION" });

        updated.State.Should().Be("MARKED_FOR_DELETION");
        Requests.Count(r => r.Method == "PATCH").Should().Be(2, "the PATCH is idempotent, so the core retries it");
    }

    [Fact]
    public async Task Empty_updates_and_unknown_states_are_rejected_before_sending()
    {
        var empty = () => _artifacts.UpdateAsync("1", new KubeflowModelArtifactUpdate());
        var badState = () => _artifacts.UpdateAsync("1", new KubeflowModelArtifactUpdate { State = "ARCHIVED" });

        await empty.Should().ThrowAsync<MlopsValidationException>();
        (await badState.Should().ThrowAsync<MlopsValidationException>()).Which.Message.Should().Contain("MARKED_FOR_DELETION");
        Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Without_a_registry_url_every_call_is_not_supported_and_nothing_is_sent()
    {
        var backend = Harness.Create(_kfp.BaseUri);
        var artifacts = (KubeflowModelArtifacts)backend.GetService(typeof(KubeflowModelArtifacts))!;

        var get = () => artifacts.GetAsync("1");
        var list = () => artifacts.ListAsync("m", "1");
        var update = () => artifacts.UpdateAsync("1", new KubeflowModelArtifactUpdate { Uri = "s3://x" });

        (await get.Should().ThrowAsync<MlopsNotSupportedException>()).Which.Message.Should().Contain("Endpoints:ModelRegistry:BaseUrl");
        list.Should().Throw<MlopsNotSupportedException>();
        await update.Should().ThrowAsync<MlopsNotSupportedException>();
        _kfp.Server.Requests.Should().BeEmpty();
    }
}
