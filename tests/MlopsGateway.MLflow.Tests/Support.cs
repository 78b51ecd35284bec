using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.MLflow.Tests.Fake;

namespace MlopsGateway.MLflow.Tests;

/// <summary>Builds an MLflow backend through DI against a server, the way an application would.</summary>
internal sealed class MLflowHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private MLflowHarness(MLflowFake fake, ServiceProvider provider)
    {
        Fake = fake;
        _provider = provider;
        Backend = provider.GetRequiredKeyedService<IMlopsBackend>("ml");
    }

    public MLflowFake Fake { get; }

    public IMlopsBackend Backend { get; }

    public IRunClient Runs => Backend.Runs;

    public IModelRegistryClient Models => Backend.Models;

    public MLflowTrackingClient Tracking => (MLflowTrackingClient)Backend.GetService(typeof(MLflowTrackingClient))!;

    public static async Task<MLflowHarness> StartAsync(Action<BackendOptions>? tweak = null, TimeProvider? time = null)
    {
        var fake = await MLflowFake.StartAsync();
        return new MLflowHarness(fake, BuildProvider(fake.BaseUri, tweak, time));
    }

    public static ServiceProvider BuildProvider(Uri baseUri, Action<BackendOptions>? tweak = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        services.AddMlopsGateway(o =>
        {
            var backend = new BackendOptions { Type = "mlflow", BaseUrl = baseUri.ToString() };
            backend.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            backend.Resilience.MaxDelay = TimeSpan.FromMilliseconds(20);
            tweak?.Invoke(backend);
            o.Backends["ml"] = backend;
        }).AddMLflow();
        return services.BuildServiceProvider();
    }

    /// <summary>The requests that reached one MLflow RPC (path suffix, e.g. <c>runs/log-batch</c>).</summary>
    public IReadOnlyList<RecordedRequest> Calls(string rpc) => Fake.Requests.Where(r => r.Path.EndsWith("/" + rpc, StringComparison.Ordinal)).ToList();

    public static JsonObject Body(RecordedRequest request) => JsonNode.Parse(request.Body!)!.AsObject();

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
