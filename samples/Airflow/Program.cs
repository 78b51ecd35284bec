// Airflow sample: trigger a DAG with parameters (conf), wait for it with progress, then print each
// task's state and the tail of its log. The same code talks to Airflow 2 (/api/v1, basic auth) or
// Airflow 3 (/api/v2, JWT from /auth/token): which one is configuration only —
//   dotnet run                                   -> appsettings.json      (Airflow 2, ApiVersion v1)
//   DOTNET_ENVIRONMENT=v2 dotnet run             -> appsettings.v2.json   (Airflow 3, ApiVersion v2)
//   dotnet run -- --Sample:DagId=my_dag --Sample:Conf='{"lr":0.05}'
// Passwords come from environment variables (AIRFLOW_PASSWORD), never from the files.
// Set OTEL_EXPORTER_OTLP_ENDPOINT to export the gateway's traces and metrics over OTLP.
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlopsGateway;
using Samples;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddMlopsGateway(builder.Configuration.GetSection("Mlops")).AddAirflow();
builder.AddSampleTelemetry("mlopsgateway-sample-airflow");
using var host = builder.Build();
await host.StartAsync();

var dagId = builder.Configuration["Sample:DagId"] ?? "train_evaluate";
var conf = JsonNode.Parse(builder.Configuration["Sample:Conf"] ?? """{"lr": 0.01}""") as JsonObject
    ?? throw new InvalidOperationException("Sample:Conf must be a JSON object.");
var tailLines = int.TryParse(builder.Configuration["Sample:TailLines"], out var n) ? n : 10;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var ct = cts.Token;

var backend = host.Services.GetRequiredService<IMlopsBackend>();
var health = await backend.CheckHealthAsync(ct);
Console.WriteLine($"{backend.Name} ({backend.Kind}): {health.Description} Version {health.ServerVersion ?? "unknown"}.");

var dag = await backend.Pipelines.GetAsync(dagId, ct);
Console.WriteLine($"DAG {dag.Id}: schedule '{dag.Schedule}', paused {dag.IsPaused}, owners [{string.Join(", ", dag.Owners)}], tags [{string.Join(", ", dag.Tags.Keys)}]");
if (dag.IsPaused == true)
{
    Console.WriteLine("The DAG is paused, so its run would wait in the queue; resuming it.");
    await backend.Pipelines.ResumeAsync(dagId, ct);
}

var run = await backend.Pipelines.TriggerAsync(dagId, new TriggerOptions { Parameters = conf, Note = "triggered by the MlopsGateway Airflow sample" }, ct);
Console.WriteLine($"Triggered run {run.Id} with {string.Join(", ", run.Params.Select(p => $"{p.Key}={p.Value}"))}");

var progress = new Progress<Run>(r => Console.WriteLine($"  {DateTimeOffset.Now:HH:mm:ss} {r.Status} ({r.RawStatus})"));
var finished = await backend.Runs.WaitForCompletionAsync(run, new WaitOptions { Timeout = TimeSpan.FromMinutes(30), MaxPollInterval = TimeSpan.FromSeconds(10) }, progress, ct);
Console.WriteLine($"Run {finished.Id} ended {finished.Status} after {(finished.EndTime - finished.StartTime)?.TotalSeconds:0.0} s.");

await foreach (var task in backend.Pipelines.ListTaskRunsAsync(finished, ct))
{
    Console.WriteLine();
    Console.WriteLine($"== {task.Name}: {task.Status} ({task.RawStatus ?? "no state"}), attempt {task.Attempt}");
    if (task.Attempt == 0)
    {
        continue; // never started: no log
    }
    var tail = new Queue<string>(tailLines);
    await foreach (var line in backend.Pipelines.ReadTaskLogAsync(finished, task.Id, cancellationToken: ct))
    {
        if (tail.Count == tailLines)
        {
            tail.Dequeue();
        }
        tail.Enqueue(line);
    }
    foreach (var line in tail)
    {
        Console.WriteLine("   " + line);
    }
}
return finished.Status == RunStatus.Succeeded ? 0 : 1;
