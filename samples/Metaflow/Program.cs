// Metaflow sample: list a flow's recent runs with their derived status and duration, wait for a
// running one to finish, then tag the winner (the newest successful run).
//
//   dotnet run --project samples/Metaflow -- --flow TrainFlow
//   dotnet run --project samples/Metaflow -- --flow TrainFlow --Mlops:Backends:metaflow:BaseUrl=http://metaflow:8080
//
// The metadata service is configured in appsettings.json (METAFLOW_SERVICE_URL of a Metaflow client).
// Behind an API gateway add "Auth": { "Type": "Headers", "Headers": { "x-api-key": "env:METAFLOW_SERVICE_AUTH_KEY" } }.
// Set OTEL_EXPORTER_OTLP_ENDPOINT to export the gateway's traces and metrics over OTLP.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlopsGateway;
using MlopsGateway.Metaflow;
using Samples;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddMlopsGateway(builder.Configuration.GetSection("Mlops")).AddMetaflow();
builder.AddSampleTelemetry("mlopsgateway-sample-metaflow");
using var host = builder.Build();
await host.StartAsync();

var flow = builder.Configuration["flow"] ?? "TrainFlow";
var backend = host.Services.GetRequiredService<IMlopsBackend>();
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));

var health = await backend.CheckHealthAsync(cts.Token);
Console.WriteLine($"{backend.Name} ({backend.Kind}): {health.Description} version {health.ServerVersion ?? "unknown"}");
if (!health.IsHealthy)
{
    return 1;
}

// Status is derived per run from its end step (as Metaflow's UI does), so ask for it explicitly:
// a status filter makes the listing resolve each run, a bounded number at a time.
var since = DateTimeOffset.UtcNow.AddDays(-7);
var runs = new List<Run>();
await foreach (var run in backend.Runs.ListAsync(new RunQuery
{
    PipelineId = flow,
    StartedAfter = since,
    Statuses = [RunStatus.Running, RunStatus.Succeeded, RunStatus.Failed],
}, cts.Token))
{
    runs.Add(run);
}
runs.Sort((a, b) => Nullable.Compare(b.StartTime, a.StartTime));

Console.WriteLine($"Runs of {flow} since {since:u}:");
foreach (var run in runs)
{
    var duration = (run.EndTime ?? DateTimeOffset.UtcNow) - (run.StartTime ?? DateTimeOffset.UtcNow);
    var tags = run.Tags.Count == 0 ? "" : " tags: " + string.Join(", ", run.Tags.Keys);
    Console.WriteLine($"  {run.Id,-40} {run.Status,-9} {duration:hh\\:mm\\:ss}{tags}");
}

// Wait for the newest running one (a killed run reads Running until its heartbeat is 6 minutes old).
if (runs.FirstOrDefault(r => r.Status == RunStatus.Running) is { } running)
{
    Console.WriteLine($"Waiting for {running.Id} ...");
    var finished = await backend.Runs.WaitForCompletionAsync(running,
        new WaitOptions { Timeout = TimeSpan.FromMinutes(20), InitialPollInterval = TimeSpan.FromSeconds(5) },
        new Progress<Run>(r => Console.WriteLine($"  {r.Id}: {r.RawStatus}")), cts.Token);
    Console.WriteLine($"{finished.Id} finished {finished.Status} at {finished.EndTime:u}");
    runs[runs.IndexOf(running)] = finished;
}

// Tag the winner: the newest successful run. Metaflow tags are plain strings (key "winner", value "").
if (runs.FirstOrDefault(r => r.Status == RunStatus.Succeeded) is { } winner)
{
    await backend.Runs.SetTagAsync(winner, "winner", "", cts.Token);
    var tagged = await backend.Runs.GetAsync(winner, cts.Token);
    Console.WriteLine($"Tagged {tagged.Id} as winner; parameters: {string.Join(", ", tagged.Params.Keys)}; system tags: {string.Join(", ", tagged.SystemTags)}");
}
else
{
    Console.WriteLine("No successful run to tag.");
}
return 0;
