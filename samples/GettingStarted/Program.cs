#region Snippet:GettingStarted_Program
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway;
using OpenTelemetry;
using OpenTelemetry.Trace;

// Print every span the gateway makes, and the HTTP calls under them, to the console.
using var tracing = Sdk.CreateTracerProviderBuilder()
    .AddMlopsGatewayInstrumentation()
    .AddSource("System.Net.Http")
    .AddConsoleExporter()
    .Build();

// One MLflow backend: the server from step 1, or the one MLFLOW_TRACKING_URI names.
var mlflowUrl = Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI") ?? "http://localhost:5000";
var services = new ServiceCollection();
services.AddMlopsGateway(options => options.Backends["mlflow"] = new BackendOptions { Type = "MLflow", BaseUrl = mlflowUrl })
    .AddMLflow();
await using var provider = services.BuildServiceProvider();
var backend = provider.GetRequiredService<IMlopsBackend>();

// A tracked run: a param and a metric per epoch; it ends FINISHED when the delegate returns.
var run = await backend.Runs.RunAsync("getting-started", new() { Name = "first-run" }, async (run, ct) =>
{
    run.LogParam("learning_rate", 0.01);
    for (var epoch = 0; epoch < 5; epoch++)
    {
        var loss = 1.0 / (epoch + 1);   // your training step goes here
        await run.LogMetricAsync("loss", loss, step: epoch, cancellationToken: ct);
    }
});

Console.WriteLine($"Run {run.Id}: {run.Status}. See it at {mlflowUrl}/#/experiments/{run.ExperimentId}/runs/{run.Id}");
#endregion
