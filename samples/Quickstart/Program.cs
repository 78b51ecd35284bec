// MlopsGateway Quickstart: no configuration, no server. The gateway falls back to the embedded Local
// backend (SQLite database mlops-local.db in the working directory, artifacts in mlops-local.db.artifacts/).
//
//   dotnet run --project samples/Quickstart            # keeps history: every run adds a run and a model version
//   dotnet run --project samples/Quickstart -- --fresh # deletes the Quickstart's database and artifacts first
//
// Set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4317) to also export the traces and metrics over OTLP;
// README.md shows how to watch them in the Aspire dashboard.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MlopsGateway;
using MlopsGateway.Local;
using OpenTelemetry.Trace;
using Samples;
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

// The Quickstart's own steps are spans too, so each step is one trace around the gateway's spans.
using var steps = new ActivitySource("Samples.Quickstart");
var spans = new SpanCollectingProcessor();
var otlp = builder.AddSampleTelemetry("mlops-quickstart", tracing => tracing.AddSource(steps.Name).AddProcessor(spans));

using var host = builder.Build();
await host.StartAsync();
var mlops = host.Services.GetRequiredService<IMlopsBackend>();

// 1. Train a logistic regression by gradient descent inside a tracked run: one trace, under the run's Runs.Run span.
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
var registering = steps.StartActivity("Register and promote the model");
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
registering?.Dispose();

// 3. Trigger the registered two-step pipeline and wait for it.
var evaluating = steps.StartActivity("Evaluate the champion");
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
evaluating?.Dispose();

// 4. Print a summary and the spans the gateway produced.
var reporting = steps.StartActivity("Report");
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
reporting?.Dispose();

spans.Print(Console.Out);
Console.WriteLine(otlp
    ? $"Traces and metrics are exported over OTLP to {builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]}."
    : "Set OTEL_EXPORTER_OTLP_ENDPOINT to export these traces and the gateway's metrics over OTLP as well.");
if (mlops.GetService<LocalBackend>() is { DatabasePath: { } databasePath })
{
    Console.WriteLine($"Data kept in {databasePath} (run again with --fresh to start over).");
}
return pipelineRun.Status == RunStatus.Succeeded ? 0 : 1;
