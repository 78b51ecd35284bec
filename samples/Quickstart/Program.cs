// MlopsGateway Quickstart: no configuration, no server. The gateway falls back to the embedded Local
// backend (SQLite database mlops-local.db in the working directory, artifacts in mlops-local.db.artifacts/).
//
//   dotnet run --project samples/Quickstart            # keeps history: every run adds a run and a model version
//   dotnet run --project samples/Quickstart -- --fresh # deletes the Quickstart's database and artifacts first
//
// Set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4317) to also export the spans over OTLP.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MlopsGateway;
using MlopsGateway.Local;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Samples.Quickstart;

const string Experiment = "quickstart";
const string ModelName = "quickstart-classifier";
const string PipelineName = "evaluate-champion";

if (args.Contains("--fresh"))
{
    Fresh.Delete(LocalBackend.DefaultPath);
}

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services
    .AddMlopsGateway(builder.Configuration.GetSection("Mlops"))
    .AddLocal(local => local.AddPipeline(PipelineName, Evaluation.Define));

var spans = new SpanCollectingProcessor();
var tracing = Sdk.CreateTracerProviderBuilder()
    .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("mlops-quickstart"))
    .AddMlopsGatewayInstrumentation()
    .AddProcessor(spans);
var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
if (otlp)
{
    tracing.AddOtlpExporter(); // endpoint, protocol and headers come from the standard OTEL_EXPORTER_OTLP_* variables
}
using var tracerProvider = tracing.Build();

using var host = builder.Build();
var mlops = host.Services.GetRequiredService<IMlopsBackend>();

// 1. Train a logistic regression by gradient descent inside a tracked run.
var data = Dataset.Generate(samples: 400, seed: 42);
var (train, test) = data.Split(0.75);
const double LearningRate = 0.5;
const int Epochs = 40;
double[] weights = [];
var run = await mlops.Runs.RunAsync(Experiment, new RunStartOptions { Name = $"logreg-{DateTime.UtcNow:HHmmss}" }, async (active, ct) =>
{
    active.LogParam("model", "logistic-regression");
    active.LogParam("learning_rate", LearningRate);
    active.LogParam("epochs", Epochs);
    active.LogParam("samples", data.Count);
    active.LogParam("seed", 42);
    active.SetTag("framework", "plain C#");

    var model = new LogisticRegression(features: 2);
    for (var epoch = 0; epoch < Epochs; epoch++)
    {
        var loss = model.GradientStep(train, LearningRate);
        active.LogMetric("train_loss", loss, epoch);
        active.LogMetric("train_accuracy", model.Accuracy(train), epoch);
    }
    active.LogMetric("test_accuracy", model.Accuracy(test), Epochs - 1);
    weights = model.Weights;

    // Upload the weights as a run artifact: the model version below is a copy of it.
    using var json = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(weights));
    await mlops.Runs.UploadArtifactAsync(active.Run, "model/weights.json", json, ct);
});

// 2. Register the model version and promote it with the alias "champion".
var registered = false;
await foreach (var existing in mlops.Models.ListModelsAsync(new ModelQuery { NameContains = ModelName }))
{
    registered |= existing.Name == ModelName; // registered by an earlier Quickstart run: add a version to it
}
if (!registered)
{
    await mlops.Models.CreateModelAsync(ModelName, new ModelCreateOptions { Description = "Quickstart logistic regression" });
}
var version = await mlops.Models.CreateVersionAsync(ModelName, new ModelVersionCreateOptions { Source = $"runs:/{run.Id}/model", Run = run });
await mlops.Models.SetAliasAsync(ModelName, "champion", version.Version);
var champion = await mlops.Models.GetVersionByAliasAsync(ModelName, "champion");

// 3. Trigger the registered two-step pipeline and wait for it.
var pipelineRun = await mlops.Pipelines.TriggerAsync(PipelineName, new TriggerOptions
{
    RunName = "evaluate",
    Parameters = new() { ["model"] = ModelName, ["alias"] = "champion", ["holdout_seed"] = 7 },
});
pipelineRun = await mlops.Runs.WaitForCompletionAsync(pipelineRun, new WaitOptions
{
    InitialPollInterval = TimeSpan.FromMilliseconds(20),
    MaxPollInterval = TimeSpan.FromMilliseconds(200),
    Timeout = TimeSpan.FromSeconds(30),
});
var runsSoFar = 0;
await foreach (var _ in mlops.Runs.ListAsync(new RunQuery { ExperimentIds = [run.ExperimentId!] }))
{
    runsSoFar++;
}

// 4. Print a summary and the spans the gateway produced.
var invariant = CultureInfo.InvariantCulture;
Console.WriteLine();
Console.WriteLine($"MlopsGateway Quickstart — backend '{mlops.Name}' ({mlops.Kind}), no server");
Console.WriteLine(new string('─', 72));
Console.WriteLine($"Training run   {run.Id}  status {run.Status}  ({runsSoFar} run(s) in experiment '{Experiment}')");
foreach (var (key, value) in run.Params.OrderBy(p => p.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"  param  {key,-16} {value}");
}
var final = await mlops.Runs.GetAsync(run);
foreach (var (key, value) in final.Metrics.OrderBy(p => p.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"  metric {key,-16} {value.ToString("F4", invariant)}");
}
Console.WriteLine($"  weights        [{string.Join(", ", weights.Select(w => w.ToString("F3", invariant)))}]");
Console.WriteLine($"Model          {ModelName} version {champion.Version}, alias 'champion' → version {champion.Version} (from run {champion.RunId})");
Console.WriteLine($"Pipeline run   {pipelineRun.Id}  '{PipelineName}'  status {pipelineRun.Status}");
await foreach (var task in mlops.Pipelines.ListTaskRunsAsync(pipelineRun))
{
    Console.WriteLine($"  task {task.Name,-14} {task.Status,-10} attempt {task.Attempt}");
    await foreach (var line in mlops.Pipelines.ReadTaskLogAsync(pipelineRun, task.Id))
    {
        Console.WriteLine($"      | {line}");
    }
}
if (pipelineRun.Metrics.TryGetValue("holdout_accuracy", out var holdout))
{
    Console.WriteLine($"  metric holdout_accuracy {holdout.ToString("F4", invariant)}");
}
Console.WriteLine();

tracerProvider.ForceFlush();
spans.Print(Console.Out);
Console.WriteLine(otlp
    ? $"Spans were also exported over OTLP to {Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")}."
    : "Set OTEL_EXPORTER_OTLP_ENDPOINT to export these spans over OTLP as well.");
if (mlops.GetService<LocalBackend>() is { DatabasePath: { } databasePath })
{
    Console.WriteLine($"Data kept in {databasePath} (run again with --fresh to start over).");
}
return pipelineRun.Status == RunStatus.Succeeded ? 0 : 1;
