using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Airflow.Tests.Fake;

namespace MlopsGateway.Airflow.Tests;

/// <summary>Builds Airflow backends through DI, the way an application does, with fast retries.</summary>
internal static class AirflowHost
{
    public const string Name = "af";

    public static ServiceProvider Build(Uri baseUri, string apiVersion, Action<BackendOptions>? tweak = null, TimeProvider? clock = null, Action<MlopsGatewayBuilder>? gateway = null)
    {
        var services = new ServiceCollection();
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }
        var builder = services.AddMlopsGateway(o =>
        {
            var backend = new BackendOptions { Type = "Airflow", BaseUrl = baseUri.ToString() };
            backend.Settings["ApiVersion"] = apiVersion;
            backend.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            backend.Resilience.MaxDelay = TimeSpan.FromMilliseconds(20);
            tweak?.Invoke(backend);
            o.Backends[Name] = backend;
        });
        builder.AddAirflow();
        gateway?.Invoke(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>A backend for a fake, with the auth each dialect uses (v1 basic, v2 token exchange).</summary>
    public static ServiceProvider ForFake(AirflowFake fake, FakeDialect dialect, Action<BackendOptions>? tweak = null, TimeProvider? clock = null, string apiVersion = "", Uri? baseUri = null, Action<MlopsGatewayBuilder>? gateway = null)
        => Build(baseUri ?? fake.BaseUri, apiVersion.Length > 0 ? apiVersion : dialect == FakeDialect.V1 ? "v1" : "v2", b =>
        {
            b.Auth.Type = dialect == FakeDialect.V1 ? "Basic" : "TokenExchange";
            b.Auth.Username = "admin";
            b.Auth.Password = "admin";
            tweak?.Invoke(b);
        }, clock, gateway);

    public static IMlopsBackend Backend(this ServiceProvider sp) => sp.GetRequiredKeyedService<IMlopsBackend>(Name);
}
