using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlopsGateway.Tests.Support;

/// <summary>Builds a service provider with the gateway and the test backend type, the way an application would.</summary>
internal static class TestGateway
{
    public static BackendTypeRegistration Registration { get; } = new()
    {
        Type = TestHttpBackend.TypeName,
        Factory = context => new TestHttpBackend(context),
    };

    public static ServiceProvider Build(Action<MlopsGatewayOptions> configure, TimeProvider? time = null, ILoggerProvider? logs = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        if (time is not null)
        {
            collection.AddSingleton(time);
        }
        services?.Invoke(collection);
        collection.AddMlopsGateway(configure).AddBackendType(Registration).AddBackendType(MemoryBackend.Registration());
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>One test backend named <c>t</c> at <paramref name="baseUri"/>, with fast retries unless changed.</summary>
    public static ServiceProvider ForServer(Uri baseUri, Action<BackendOptions>? tweak = null, TimeProvider? time = null, ILoggerProvider? logs = null, Action<IServiceCollection>? services = null)
        => Build(o =>
        {
            var backend = new BackendOptions { Type = TestHttpBackend.TypeName, BaseUrl = baseUri.ToString() };
            backend.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            backend.Resilience.MaxDelay = TimeSpan.FromMilliseconds(50);
            tweak?.Invoke(backend);
            o.Backends["t"] = backend;
        }, time, logs, services);
}
