using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlopsGateway.Kubeflow.Tests.Fakes;
using MlopsGateway.Testing;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>
/// Issue 15: <c>Native</c> of every Kubeflow object is the object exactly as the server sent it. There are no
/// recordings of a real KFP or Model Registry, so the reference is the JSON the fake serves for each object (the
/// fake is written from the official specs and checked against them through Prism): pipelines, versions,
/// experiments, runs, task details, recurring runs, registered models, model versions and model artifacts.
/// </summary>
public sealed class NativeTests : IAsyncLifetime
{
    private KubeflowFake _kfp = null!;
    private KubeflowFake _registry = null!;
    private IMlopsBackend _backend = null!;
    private HttpClient _raw = null!;
    private HttpClient _rawRegistry = null!;

    public async Task InitializeAsync()
    {
        _kfp = await KubeflowFake.StartAsync();
        _registry = await KubeflowFake.StartAsync();
        _kfp.SucceedByDefault = true;
        _backend = Harness.Create(_kfp.BaseUri, _registry.BaseUri, o => o.Settings["Namespace"] = "team-a");
        _raw = new HttpClient { BaseAddress = new Uri(_kfp.BaseUri, "apis/v2beta1/") };
        _rawRegistry = new HttpClient { BaseAddress = new Uri(_registry.BaseUri, "api/model_registry/v1alpha3/") };
        _raw.DefaultRequestHeaders.Authorization = _rawRegistry.DefaultRequestHeaders.Authorization = new("Bearer", "test-token");
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        _rawRegistry.Dispose();
        await _kfp.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task Native_of_every_pipelines_object_is_the_object_as_the_server_sends_it()
    {
        var uploaded = await _backend.Pipelines.UploadAsync(new PipelineUpload
        {
            Name = "native-demo",
            Description = "as sent",
            FileName = "native-demo.yaml",
            Content = new MemoryStream(Encoding.UTF8.GetBytes("pipelineInfo:\n  name: native-demo\n")),
        });
        var pipeline = await _backend.Pipelines.GetAsync(uploaded.Id);
        var version = (await _backend.Pipelines.ListVersionsAsync(pipeline.Id).ToListAsync()).Single();
        var experiment = await _backend.Runs.CreateExperimentAsync("native-exp", new ExperimentCreateOptions { Description = "d" });
        var triggered = await _backend.Pipelines.TriggerAsync(pipeline.Id, new TriggerOptions
        {
            ExperimentId = experiment.Id,
            RunName = "native-run",
            Parameters = new JsonObject { ["lr"] = 0.01, ["epochs"] = 3, ["name"] = "x" },
        });
        _kfp.Step();
        _kfp.Step();
        var run = await _backend.Runs.GetAsync(triggered);
        var tasks = await _backend.Pipelines.ListTaskRunsAsync(run).ToListAsync();
        var schedules = _backend.GetService<KubeflowSchedules>()!;
        var schedule = await schedules.GetAsync((await schedules.CreateAsync(new KubeflowScheduleOptions
        {
            Name = "nightly", PipelineId = pipeline.Id, ExperimentId = experiment.Id, Cron = "0 0 2 * * *", Parameters = new JsonObject { ["lr"] = 0.1 },
        })).Id);

        var rawRun = await RawAsync(_raw, $"runs/{run.Id}");
        var problems = new List<string>();
        Compare(problems, "pipeline", pipeline.Native, await RawAsync(_raw, $"pipelines/{pipeline.Id}"));
        Compare(problems, "version", version.Native, await RawAsync(_raw, $"pipelines/{pipeline.Id}/versions/{version.Id}"));
        Compare(problems, "experiment", (await _backend.Runs.GetExperimentAsync(experiment.Id)).Native, await RawAsync(_raw, $"experiments/{experiment.Id}"));
        Compare(problems, "run", run.Native, rawRun);
        tasks.Should().NotBeEmpty();
        foreach (var (task, i) in tasks.Select((t, i) => (t, i)))
        {
            Compare(problems, $"task {task.Id}", task.Native, rawRun["run_details"]!["task_details"]![i]);
        }
        Compare(problems, "recurring run", schedule.Native, await RawAsync(_raw, $"recurringruns/{schedule.Id}"));

        problems.Should().BeEmpty();
    }

    [Fact]
    public async Task Native_of_every_registry_object_is_the_object_as_the_server_sends_it()
    {
        await _backend.Models.CreateModelAsync("native-model", new ModelCreateOptions { Description = "d", Tags = new Dictionary<string, string> { ["team"] = "risk" } });
        await _backend.Models.CreateVersionAsync("native-model", new ModelVersionCreateOptions { Source = "s3://bucket/model", Run = new RunRef("run-1"), Tags = new Dictionary<string, string> { ["stage"] = "qa" } });
        await _backend.Models.SetAliasAsync("native-model", "champion", "1");
        var model = await _backend.Models.GetModelAsync("native-model");
        var version = await _backend.Models.GetVersionAsync("native-model", "1");
        var artifact = (await _backend.GetService<KubeflowModelArtifacts>()!.ListAsync("native-model", "1").ToListAsync()).Single();

        var problems = new List<string>();
        Compare(problems, "registered model", model.Native, await RawAsync(_rawRegistry, $"registered_models/{Id(model.Native)}"));
        Compare(problems, "model version", version.Native, await RawAsync(_rawRegistry, $"model_versions/{Id(version.Native)}"));
        Compare(problems, "model artifact", artifact.Native, await RawAsync(_rawRegistry, $"model_artifacts/{artifact.Id}"));

        problems.Should().BeEmpty();
    }

    private static string Id(JsonElement? native) => native!.Value.GetProperty("id").GetString()!;

    private static async Task<JsonNode> RawAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        response.IsSuccessStatusCode.Should().BeTrue(path);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static void Compare(List<string> problems, string what, JsonElement? native, JsonNode? sent)
        => problems.AddRange(NativeJson.Differences(native, sent).Select(d => $"{what}: {d}"));
}
