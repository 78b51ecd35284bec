using System.Reflection;
using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Tests.Fakes;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>
/// The retry mark on each KFP and Model Registry endpoint, observed on the wire: after a 503, a create is never sent
/// again, an idempotent colon verb or PATCH is, and a read or DELETE is by its method. Streamed uploads and
/// <c>POST /runs</c> are covered in <see cref="PipelineEndpointTests"/>, GETs there too.
/// </summary>
public sealed class RetryRuleTests : IAsyncLifetime
{
    private const string Kfp = "/apis/v2beta1/";
    private const string Mr = "/api/model_registry/v1alpha3/";
    private const string Busy = """{"code":14,"message":"upstream connect error"}""";
    private KubeflowFake _fake = null!;
    private IMlopsBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _fake = await KubeflowFake.StartAsync();
        _backend = Harness.Create(_fake.BaseUri, _fake.BaseUri);
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private int Sent(string method, string path) => _fake.Server.Requests.Count(r => r.Method == method && r.Path == path);

    private async Task<(string PipelineId, string RunId, string ExperimentId)> SeedAsync()
    {
        var pipeline = await _backend.Pipelines.UploadAsync(new PipelineUpload { Name = "p", Content = new MemoryStream("x"u8.ToArray()) });
        var experiment = await _backend.Runs.CreateExperimentAsync("e");
        var run = await _backend.Pipelines.TriggerAsync(pipeline.Id, new TriggerOptions { RunName = "r", ExperimentId = experiment.Id });
        await _backend.Models.CreateModelAsync("m");
        await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://b/m/1" });
        _fake.Server.ClearRequests();
        return (pipeline.Id, run.Id, experiment.Id);
    }

    [Theory]
    [InlineData("upload_version")]
    [InlineData("create experiment")]
    [InlineData("create recurring run")]
    [InlineData("retry run")]
    [InlineData("create registered model")]
    [InlineData("create model version")]
    [InlineData("add model artifact")]
    public async Task A_create_is_never_sent_again_after_a_503(string endpoint)
    {
        var (pipelineId, runId, _) = await SeedAsync();
        var schedules = _backend.GetService<KubeflowSchedules>()!;
        (string Path, Func<Task> Call) c = endpoint switch
        {
            "upload_version" => (Kfp + "pipelines/upload_version",
                () => _backend.Pipelines.UploadVersionAsync(pipelineId, new PipelineUpload { Name = "v2", Content = new MemoryStream("x"u8.ToArray()) })),
            "create experiment" => (Kfp + "experiments", () => _backend.Runs.CreateExperimentAsync("other")),
            "create recurring run" => (Kfp + "recurringruns",
                () => schedules.CreateAsync(new KubeflowScheduleOptions { Name = "s", PipelineId = pipelineId, Cron = "0 0 * * * *" })),
            "retry run" => ($"{Kfp}runs/{runId}:retry", () => _backend.Runs.RetryAsync(runId)),
            "create registered model" => (Mr + "registered_models", () => _backend.Models.CreateModelAsync("n")),
            "create model version" => (Mr + "model_versions", () => _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://b/m/2" })),
            "add model artifact" => (Mr + "model_versions/", // the version's id is the fake's: only the artifact POST has this prefix
                () => _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://b/m/2" })),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };
        _fake.FailNext("POST", c.Path, 503, Busy);

        await c.Call.Should().ThrowAsync<MlopsUnavailableException>();

        _fake.Server.Requests.Count(r => r.Method == "POST" && r.Path.StartsWith(c.Path, StringComparison.Ordinal))
            .Should().Be(1, "{0} is marked NotRetryable", endpoint);
    }

    [Theory]
    [InlineData("terminate")]
    [InlineData("archive run")]
    [InlineData("unarchive run")]
    [InlineData("archive experiment")]
    [InlineData("unarchive experiment")]
    [InlineData("enable recurring run")]
    [InlineData("disable recurring run")]
    [InlineData("patch registered model")]
    [InlineData("patch model version")]
    public async Task An_idempotent_POST_or_PATCH_is_sent_again_after_a_503(string endpoint)
    {
        var (pipelineId, runId, experimentId) = await SeedAsync();
        var archive = _backend.GetService<KubeflowArchive>()!;
        var schedules = _backend.GetService<KubeflowSchedules>()!;
        var schedule = await schedules.CreateAsync(new KubeflowScheduleOptions { Name = "s", PipelineId = pipelineId, Cron = "0 0 * * * *" });
        var modelId = (string)_fake.Model("m")["id"]!;
        var versionId = (string)_fake.ModelVersions("m").Single()["id"]!;
        (string Method, string Path, Func<Task> Call) c = endpoint switch
        {
            "terminate" => ("POST", $"{Kfp}runs/{runId}:terminate", () => _backend.Runs.CancelAsync(runId)),
            "archive run" => ("POST", $"{Kfp}runs/{runId}:archive", () => archive.ArchiveRunAsync(runId)),
            "unarchive run" => ("POST", $"{Kfp}runs/{runId}:unarchive", () => archive.UnarchiveRunAsync(runId)),
            "archive experiment" => ("POST", $"{Kfp}experiments/{experimentId}:archive", () => _backend.Runs.DeleteExperimentAsync(experimentId)),
            "unarchive experiment" => ("POST", $"{Kfp}experiments/{experimentId}:unarchive", () => _backend.Runs.RestoreExperimentAsync(experimentId)),
            "enable recurring run" => ("POST", $"{Kfp}recurringruns/{schedule.Id}:enable", () => schedules.EnableAsync(schedule.Id)),
            "disable recurring run" => ("POST", $"{Kfp}recurringruns/{schedule.Id}:disable", () => schedules.DisableAsync(schedule.Id)),
            "patch registered model" => ("PATCH", $"{Mr}registered_models/{modelId}", () => _backend.Models.UpdateModelAsync("m", new ModelUpdate { Description = "d" })),
            "patch model version" => ("PATCH", $"{Mr}model_versions/{versionId}", () => _backend.Models.UpdateVersionAsync("m", "1", new ModelUpdate { Description = "d" })),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };
        _fake.FailNext(c.Method, c.Path, 503, Busy);

        await c.Call();

        Sent(c.Method, c.Path).Should().Be(2, "{0} is marked Idempotent", endpoint);
    }

    [Fact]
    public async Task A_DELETE_is_sent_again_after_a_503_by_its_method()
    {
        var (_, runId, _) = await SeedAsync();
        _fake.FailNext("DELETE", $"{Kfp}runs/{runId}", 503, Busy);

        await _backend.Runs.DeleteAsync(runId);

        Sent("DELETE", $"{Kfp}runs/{runId}").Should().Be(2);
    }

    [Fact]
    public void Every_POST_and_PATCH_endpoint_declares_its_retry_rule_with_a_reason()
    {
        var endpoints = ApiEndpoints.All;
        endpoints.Should().HaveCountGreaterThan(40);

        foreach (var (name, method, http) in endpoints.Where(e => e.Http.Method == HttpMethod.Post || e.Http.Method == HttpMethod.Patch))
        {
            var reasons = new[] { method.GetCustomAttribute<IdempotentAttribute>()?.Reason, method.GetCustomAttribute<NotRetryableAttribute>()?.Reason }
                .Where(r => r is not null).ToList();
            reasons.Should().ContainSingle(name).Which.Should().NotBeNullOrWhiteSpace(name);
        }
    }
}
