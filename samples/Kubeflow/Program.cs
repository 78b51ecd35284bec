// MlopsGateway on Kubeflow Pipelines: upload a compiled pipeline, run it with parameters, wait with
// progress, and print the state of each task.
//
//   kubectl port-forward -n kubeflow svc/ml-pipeline 8888:8888      # in-cluster API, single-user
//   dotnet run --project samples/Kubeflow
//
// Configure through appsettings.json or environment variables, for example a multi-user deployment behind
// the dashboard with a projected service-account token:
//   Mlops__Backends__kubeflow__BaseUrl=https://kubeflow.example.com/pipeline
//   Mlops__Backends__kubeflow__Namespace=team-a
//   Mlops__Backends__kubeflow__Auth__Type=TokenFile
//   Mlops__Backends__kubeflow__Auth__TokenFile=/var/run/secrets/kubeflow/pipelines/token
// and, for Models, the Kubeflow Model Registry (its own HTTP client, circuit breaker and concurrency limit):
//   Mlops__Backends__kubeflow__Endpoints__ModelRegistry__BaseUrl=https://model-registry.example.com
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
builder.Services.AddMlopsGateway(builder.Configuration.GetSection("Mlops")).AddKubeflow();
builder.AddSampleTelemetry("mlopsgateway-sample-kubeflow");
using var host = builder.Build();
await host.StartAsync();
var kubeflow = host.Services.GetRequiredService<IMlopsBackend>();

var health = await kubeflow.CheckHealthAsync();
Console.WriteLine($"{kubeflow.Name} ({kubeflow.Kind}): {health.Description} version {health.ServerVersion ?? "unknown"}");
if (!health.IsHealthy)
{
    return 1;
}

// 1. Upload the compiled pipeline, or reuse it when a previous run of this sample uploaded it already.
const string PipelineName = "mlops-gateway-hello";
Pipeline pipeline;
try
{
    pipeline = await kubeflow.Pipelines.GetByNameAsync(PipelineName);
    Console.WriteLine($"Reusing pipeline {pipeline.Name} ({pipeline.Id})");
}
catch (MlopsNotFoundException)
{
    await using var yaml = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "hello-pipeline.yaml"));
    pipeline = await kubeflow.Pipelines.UploadAsync(new PipelineUpload
    {
        Name = PipelineName,
        FileName = "hello-pipeline.yaml",
        Content = yaml,
        Description = "Uploaded by the MlopsGateway Kubeflow sample",
    });
    Console.WriteLine($"Uploaded pipeline {pipeline.Name} ({pipeline.Id})");
}

// 2. Run its latest version in an experiment (required on multi-user deployments) with typed parameters.
Experiment experiment;
try
{
    experiment = await kubeflow.Runs.GetExperimentByNameAsync("mlops-gateway-samples");
}
catch (MlopsNotFoundException)
{
    experiment = await kubeflow.Runs.CreateExperimentAsync("mlops-gateway-samples");
}
var run = await kubeflow.Pipelines.TriggerAsync(pipeline.Id, new TriggerOptions
{
    RunName = $"hello-{DateTime.UtcNow:yyyyMMdd-HHmmss}",
    ExperimentId = experiment.Id,
    Parameters = new JsonObject { ["message"] = "hello from .NET", ["times"] = 3 },
});
Console.WriteLine($"Started run {run.Name} ({run.Id}) with {string.Join(", ", run.Params.Select(p => $"{p.Key}={p.Value}"))}");

// 3. Wait with progress: polls with backoff, survives service-account token rotation, gives up after 30 minutes.
var progress = new Progress<Run>(r => Console.WriteLine($"  {DateTime.Now:HH:mm:ss} {r.Status} ({r.RawStatus})"));
var done = await kubeflow.Runs.WaitForCompletionAsync(run, new WaitOptions
{
    Timeout = TimeSpan.FromMinutes(30),
    InitialPollInterval = TimeSpan.FromSeconds(2),
    MaxPollInterval = TimeSpan.FromSeconds(15),
}, progress);
Console.WriteLine($"Run {done.Id} finished {done.Status} after {done.EndTime - done.StartTime:g}");

// 4. Print the task states from the run details.
await foreach (var task in kubeflow.Pipelines.ListTaskRunsAsync(done))
{
    Console.WriteLine($"  task {task.Name,-24} {task.Status,-10} {task.StartTime:HH:mm:ss} → {task.EndTime:HH:mm:ss}");
}
return done.Status == RunStatus.Succeeded ? 0 : 2;
