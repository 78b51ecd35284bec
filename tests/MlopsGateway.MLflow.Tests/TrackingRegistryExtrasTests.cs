namespace MlopsGateway.MLflow.Tests;

/// <summary>The registry calls <see cref="MLflowTrackingClient"/> exposes beyond the neutral client: download URI and latest versions per stage.</summary>
public sealed class TrackingRegistryExtrasTests
{
    [Fact]
    public async Task Download_uri_resolves_a_runs_source_to_the_run_artifact_location_with_the_recorded_wire()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        await h.Models.CreateModelAsync("m");
        await h.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = $"runs:/{run.Id}/model", Run = run });
        await h.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://bucket/models/m/2" });
        h.Fake.ClearRequests();

        (await h.Tracking.GetModelVersionDownloadUriAsync("m", "1")).Should().Be(run.ArtifactLocation + "/model");
        (await h.Tracking.GetModelVersionDownloadUriAsync("m", "2")).Should().Be("s3://bucket/models/m/2");

        // Recording mv-download-uri: GET with name and version in the query string, no body.
        var call = h.Calls("model-versions/get-download-uri")[0];
        call.Method.Should().Be("GET");
        call.Path.Should().Be("/api/2.0/mlflow/model-versions/get-download-uri");
        call.Query.Should().Be("?name=m&version=1");
        call.Body.Should().BeNullOrEmpty();
        await h.Tracking.Invoking(t => t.GetModelVersionDownloadUriAsync("m", "9")).Should().ThrowAsync<MlopsNotFoundException>();
        await h.Tracking.Invoking(t => t.GetModelVersionDownloadUriAsync("m", "")).Should().ThrowAsync<MlopsValidationException>();
    }

    [Fact]
    public async Task Latest_versions_send_repeated_stages_and_map_one_version_per_stage()
    {
        await using var h = await MLflowHarness.StartAsync();
        await h.Models.CreateModelAsync("m");
        for (var i = 0; i < 3; i++)
        {
            await h.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = $"s3://bucket/m/{i + 1}" });
        }
        await h.Models.TransitionStageAsync("m", "1", "Archived");
        await h.Models.TransitionStageAsync("m", "2", "Production");
        h.Fake.ClearRequests();

        var latest = await h.Tracking.GetLatestVersionsAsync("m", ["Production", "Archived"]);

        latest.Select(v => (v.Version, v.Stage)).Should().Equal(("1", "Archived"), ("2", "Production"));
        latest[0].ModelName.Should().Be("m");
        latest[0].Backend.Should().Be("ml");
        // Recording rm-latest-versions-get: GET, name plus the stages parameter repeated.
        var call = h.Calls("registered-models/get-latest-versions").Single();
        call.Method.Should().Be("GET");
        call.Query.Should().Be("?name=m&stages=Production&stages=Archived");

        (await h.Tracking.GetLatestVersionsAsync("m")).Select(v => v.Stage).Should().Equal("Archived", "Production", "None");
        h.Calls("registered-models/get-latest-versions")[^1].Query.Should().Be("?name=m");
        await h.Tracking.Invoking(t => t.GetLatestVersionsAsync("missing")).Should().ThrowAsync<MlopsNotFoundException>();
    }
}
