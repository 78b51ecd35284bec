using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlopsGateway;
using Samples;
using Samples.MLflow;

// The MLflow sample: an MNIST-style training loop tracked in MLflow, its model registered and aliased
// 'champion'. Point it at a server with MLFLOW_TRACKING_URI (or Mlops:Backends:mlflow:BaseUrl in
// appsettings.json); MLFLOW_TRACKING_USERNAME/PASSWORD (basic auth) or MLFLOW_TRACKING_TOKEN (bearer) as
// MLflow's own client reads them. Traces and metrics go to OTEL_EXPORTER_OTLP_ENDPOINT when it is set.
var builder = Host.CreateApplicationBuilder(args);
var overrides = new Dictionary<string, string?>();
if (Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI") is { Length: > 0 } uri)
{
    overrides["Mlops:Backends:mlflow:BaseUrl"] = uri;
}
if (Environment.GetEnvironmentVariable("MLFLOW_TRACKING_USERNAME") is { Length: > 0 } user)
{
    overrides["Mlops:Backends:mlflow:Auth:Type"] = "Basic";
    overrides["Mlops:Backends:mlflow:Auth:Username"] = user;
    overrides["Mlops:Backends:mlflow:Auth:PasswordFrom"] = "env:MLFLOW_TRACKING_PASSWORD";
}
else if (Environment.GetEnvironmentVariable("MLFLOW_TRACKING_TOKEN") is { Length: > 0 })
{
    overrides["Mlops:Backends:mlflow:Auth:Type"] = "Bearer";
    overrides["Mlops:Backends:mlflow:Auth:TokenFrom"] = "env:MLFLOW_TRACKING_TOKEN";
}
builder.Configuration.AddInMemoryCollection(overrides);

if (string.IsNullOrWhiteSpace(builder.Configuration["Mlops:Backends:mlflow:BaseUrl"]))
{
    Console.Error.WriteLine("Set MLFLOW_TRACKING_URI (for example http://127.0.0.1:5000) or Mlops:Backends:mlflow:BaseUrl in appsettings.json.");
    return 2;
}

builder.Services.AddMlopsGateway(builder.Configuration.GetSection("Mlops")).AddMLflow();
builder.AddSampleTelemetry("mlopsgateway-sample-mlflow");

using var host = builder.Build();
await host.StartAsync();
var backend = host.Services.GetRequiredService<IMlopsBackend>();
var champion = await MnistTraining.RunAsync(backend, Console.Out);
Console.WriteLine($"champion: {champion.ModelName} v{champion.Version} from run {champion.RunId}");
await host.StopAsync();
return 0;
