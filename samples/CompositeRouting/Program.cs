// Composite routing: one IMlopsBackend whose Runs and Models live on MLflow while Pipelines run on an
// orchestrator — Kubeflow Pipelines (appsettings.json) or Airflow (appsettings.Airflow.json) — chosen by
// configuration only. The orchestrator's run is waited on through the orchestrator (its backend of record),
// and its outcome is tracked and promoted on MLflow.
//
//   dotnet run --project samples/CompositeRouting                                  # MLflow + Kubeflow
//   DOTNET_ENVIRONMENT=Airflow AIRFLOW_PASSWORD=... dotnet run --project samples/CompositeRouting   # MLflow + Airflow
//
// Point it at your servers with appsettings or environment variables, e.g.
//   Mlops__Backends__tracking__BaseUrl=http://mlflow:5000  Sample__PipelineId=train_evaluate
// Set OTEL_EXPORTER_OTLP_ENDPOINT to export the gateway's traces and metrics over OTLP.
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MlopsGateway;
using Samples;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddMlopsGateway(builder.Configuration.GetSection("Mlops"))
    .AddMLflow()
    .AddKubeflow()
    .AddAirflow();
builder.AddSampleTelemetry("mlopsgateway-sample-composite-routing");
using var host = builder.Build();
await host.StartAsync();

var gateway = host.Services.GetRequiredService<IMlopsBackend>();
var routing = host.Services.GetRequiredService<IMlopsBackendProvider>();
var pipelineId = builder.Configuration["Sample:PipelineId"] ?? "train_evaluate";
var modelName = builder.Configuration["Sample:ModelName"] ?? "composite-routing-sample";

Console.WriteLine($"Default backend: {gateway.Kind}; configured: {string.Join(", ", routing.Names.Select(n => $"{n} ({routing.Get(n).Kind})"))}");
foreach (var area in Enum.GetValues<CapabilityArea>())
{
    var supported = Enum.GetValues<MlopsCapability>().Where(c => CapabilityAreas.Of(c) == area && gateway.Capabilities.Supports(c));
    Console.WriteLine($"  {area,-9} {string.Join(", ", supported)}");
}

var health = await gateway.CheckHealthAsync();
Console.WriteLine($"Health: {health.Description}");
if (!health.IsHealthy)
{
    return 1;
}

// 1. Orchestration goes to the Pipelines route. Airflow DAG ids are names; KFP ids are UUIDs, so fall back to the name.
Pipeline pipeline;
try
{
    pipeline = await gateway.Pipelines.GetAsync(pipelineId);
}
catch (Exception ex) when (ex is MlopsNotFoundException or MlopsValidationException)
{
    pipeline = await gateway.Pipelines.GetByNameAsync(pipelineId);
}
var run = await gateway.Pipelines.TriggerAsync(pipeline.Id, new TriggerOptions
{
    Parameters = new JsonObject { ["epochs"] = 3, ["learning_rate"] = 0.01 },
    RunName = "composite-routing-sample",
});
Console.WriteLine($"Triggered {pipelineId} on '{run.Backend}': run {run.Id}");

// 2. Run-scoped calls follow run.Backend, so this waits through the orchestrator although Runs route to MLflow.
var progress = new Progress<Run>(r => Console.WriteLine($"  {DateTimeOffset.UtcNow:T}  {r.Status} ({r.RawStatus})"));
var finished = await gateway.Runs.WaitForCompletionAsync(run, new WaitOptions { Timeout = TimeSpan.FromHours(1) }, progress);
await foreach (var task in gateway.Pipelines.ListTaskRunsAsync(finished))
{
    Console.WriteLine($"  task {task.Name,-20} {task.Status}");
}

// 3. Tracking and the registry go to MLflow: record the orchestrated run and promote the model.
var tracked = await gateway.Runs.RunAsync("composite-routing", new RunStartOptions { Name = $"{pipelineId}-{finished.Id}" }, async (active, ct) =>
{
    active.SetTag("orchestrator.backend", finished.Backend);
    active.SetTag("orchestrator.run_id", finished.Id);
    active.SetTag("orchestrator.status", finished.Status.ToString());
    foreach (var (key, value) in finished.Params)
    {
        active.LogParam(key, value);
    }
    active.LogMetric("pipeline_duration_seconds", ((finished.EndTime ?? DateTimeOffset.UtcNow) - (finished.StartTime ?? DateTimeOffset.UtcNow)).TotalSeconds);
    await using var summary = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"{finished.Id}: {finished.Status}\n"));
    await gateway.Runs.UploadArtifactAsync(active.Run, "orchestration/summary.txt", summary, ct);
});
Console.WriteLine($"Tracked on '{tracked.Backend}': run {tracked.Id} {tracked.Status}");

if (finished.Status == RunStatus.Succeeded)
{
    try
    {
        await gateway.Models.CreateModelAsync(modelName);
    }
    catch (MlopsConflictException)
    {
        // Registered by an earlier run of this sample.
    }
    var version = await gateway.Models.CreateVersionAsync(modelName, new ModelVersionCreateOptions
    {
        Source = $"runs:/{tracked.Id}/orchestration",
        Run = tracked,
    });
    await gateway.Models.SetAliasAsync(modelName, "champion", version.Version);
    Console.WriteLine($"Model {modelName} version {version.Version} is now 'champion' on '{version.Backend}'.");
}
return finished.Status == RunStatus.Succeeded ? 0 : 2;
