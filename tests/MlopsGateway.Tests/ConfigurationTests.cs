using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests;

public sealed class ConfigurationTests
{
    private static ServiceProvider FromJsonLike(Dictionary<string, string?> values, params BackendTypeRegistration[] types)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging();
        var builder = services.AddMlopsGateway(configuration.GetSection("Mlops"));
        foreach (var t in types.Length == 0 ? [TestGateway.Registration, MemoryBackend.Registration()] : types)
        {
            builder.AddBackendType(t);
        }
        return services.BuildServiceProvider();
    }

    private static string StartupError(Dictionary<string, string?> values, params BackendTypeRegistration[] types)
    {
        using var sp = FromJsonLike(values, types);
        var act = () => sp.GetRequiredService<IMlopsBackendProvider>();
        return act.Should().Throw<Exception>().Which.Message;
    }

    [Theory]
    [InlineData("Mlops:Backends:b:Type", "Nope", "Mlops:Backends:b:Type: unknown backend type 'Nope'")]
    [InlineData("Mlops:Backends:b:Auth:Type", "Kerberos", "Mlops:Backends:b:Auth:Type: unknown 'Kerberos'")]
    [InlineData("Mlops:Backends:b:BaseUrl", "not a url", "Mlops:Backends:b:BaseUrl: 'not a url' is not an absolute http or https URL")]
    [InlineData("Mlops:Backends:b:BaseUrl", "ftp://host/", "Mlops:Backends:b:BaseUrl: 'ftp://host/' is not an absolute http or https URL")]
    [InlineData("Mlops:Backends:b:BaseUrl", "", "Mlops:Backends:b:BaseUrl: required")]
    [InlineData("Mlops:Routing:Pipelines", "elsewhere", "Mlops:Routing:Pipelines: 'elsewhere' is not a configured backend")]
    [InlineData("Mlops:DefaultBackend", "other", "Mlops:DefaultBackend: 'other' is not a configured backend")]
    [InlineData("Mlops:Backends:b:Resilience:AttemptTimeout", "00:05:00", "Mlops:Backends:b:Resilience:AttemptTimeout: must not exceed TotalTimeout")]
    [InlineData("Mlops:Backends:b:Resilience:TotalTimeout", "00:00:00", "Mlops:Backends:b:Resilience:TotalTimeout: must be between 10 ms and 1 day")]
    [InlineData("Mlops:Backends:b:MaxConcurrentRequests", "0", "Mlops:Backends:b:MaxConcurrentRequests: must be at least 1")]
    [InlineData("Mlops:Backends:b:Auth:TokenFile", "/no/such/token", "Mlops:Backends:b:Auth:TokenFile: file '/no/such/token' does not exist")]
    public void Bad_configuration_fails_at_startup_naming_the_key(string key, string value, string expected)
    {
        var values = new Dictionary<string, string?>
        {
            ["Mlops:Backends:b:Type"] = TestHttpBackend.TypeName,
            ["Mlops:Backends:b:BaseUrl"] = "http://127.0.0.1:1/",
        };
        if (key.EndsWith("TokenFile", StringComparison.Ordinal))
        {
            values["Mlops:Backends:b:Auth:Type"] = "TokenFile";
        }
        values[key] = value;

        StartupError(values).Should().Contain(expected);
    }

    [Fact]
    public void Unparsable_timeout_fails_at_registration_naming_the_key()
    {
        var act = () => FromJsonLike(new()
        {
            ["Mlops:Backends:b:Type"] = TestHttpBackend.TypeName,
            ["Mlops:Backends:b:BaseUrl"] = "http://127.0.0.1:1/",
            ["Mlops:Backends:b:Resilience:TotalTimeout"] = "soon",
        });
        act.Should().Throw<InvalidOperationException>().WithMessage("*'Mlops:Backends:b:Resilience:TotalTimeout'*");
    }

    [Fact]
    public void Missing_secret_reference_names_the_key_but_never_a_value()
    {
        var message = StartupError(new()
        {
            ["Mlops:Backends:b:Type"] = TestHttpBackend.TypeName,
            ["Mlops:Backends:b:BaseUrl"] = "http://127.0.0.1:1/",
            ["Mlops:Backends:b:Auth:Type"] = "Basic",
            ["Mlops:Backends:b:Auth:Username"] = "admin",
            ["Mlops:Backends:b:Auth:PasswordFrom"] = "env:MLOPS_TEST_UNSET_VARIABLE_4711",
        });
        message.Should().Contain("Mlops:Backends:b:Auth:PasswordFrom: environment variable 'MLOPS_TEST_UNSET_VARIABLE_4711' is not set");
    }

    [Fact]
    public void Several_backends_without_default_or_full_routing_is_an_error()
    {
        StartupError(new()
        {
            ["Mlops:Backends:a:Type"] = "Memory",
            ["Mlops:Backends:b:Type"] = "Memory",
        }).Should().Contain("Mlops:DefaultBackend: required when several backends are configured");
    }

    [Fact]
    public void Unregistered_type_lists_registered_types()
    {
        StartupError(new() { ["Mlops:Backends:b:Type"] = "MLflow", ["Mlops:Backends:b:BaseUrl"] = "http://x/" }, MemoryBackend.Registration())
            .Should().Contain("unknown backend type 'MLflow'; registered types: Memory");
    }

    [Fact]
    public void Adapter_specific_keys_land_in_settings_and_adapter_validation_runs()
    {
        var seen = new List<BackendOptions>();
        var registration = new BackendTypeRegistration
        {
            Type = "Custom",
            RequiresBaseUrl = false,
            Factory = c => { seen.Add(c.Options); return new MemoryBackend(c); },
            Validate = (o, key, errors) =>
            {
                if (o.GetSetting("ApiVersion") is not ("v1" or "v2"))
                {
                    errors.Add($"{key}:ApiVersion must be v1 or v2.");
                }
            },
        };
        StartupError(new() { ["Mlops:Backends:c:Type"] = "Custom", ["Mlops:Backends:c:ApiVersion"] = "v9" }, registration)
            .Should().Contain("Mlops:Backends:c:ApiVersion must be v1 or v2.");

        using var sp = FromJsonLike(new() { ["Mlops:Backends:c:Type"] = "custom", ["Mlops:Backends:c:ApiVersion"] = "v2", ["Mlops:Backends:c:Namespace"] = "team-a" }, registration);
        sp.GetRequiredService<IMlopsBackend>().Name.Should().Be("c");
        seen.Should().ContainSingle().Which.Settings.Should().Contain(new KeyValuePair<string, string?>("ApiVersion", "v2")).And.ContainKey("Namespace");
    }

    [Fact]
    public void No_configuration_uses_the_local_backend_when_registered()
    {
        var local = new BackendTypeRegistration { Type = "Local", RequiresBaseUrl = false, Factory = c => new MemoryBackend(c) };
        using var sp = FromJsonLike(new(), local);
        var backend = sp.GetRequiredService<IMlopsBackend>();
        backend.Name.Should().Be("local");
        sp.GetRequiredService<IOptions<MlopsGatewayOptions>>().Value.Backends["local"].GetSetting("Path").Should().Be("mlops-local.db");
    }

    [Fact]
    public void No_configuration_without_local_says_what_to_reference()
        => StartupError(new(), TestGateway.Registration).Should().Contain("Mlops:Backends:local:Type: unknown backend type 'Local'").And.Contain("Reference MlopsGateway.Local and call AddLocal()");

    [Fact]
    public void Named_backends_are_keyed_singletons()
    {
        using var sp = FromJsonLike(new()
        {
            ["Mlops:DefaultBackend"] = "a",
            ["Mlops:Backends:a:Type"] = "Memory",
            ["Mlops:Backends:b:Type"] = "Memory",
        });
        var provider = sp.GetRequiredService<IMlopsBackendProvider>();
        sp.GetRequiredKeyedService<IMlopsBackend>("b").Should().BeSameAs(provider.Get("B"));
        sp.GetRequiredService<IMlopsBackend>().Should().BeSameAs(provider.Get("a"));
        provider.Names.Should().BeEquivalentTo("a", "b");
        var missing = () => provider.Get("zzz");
        missing.Should().Throw<KeyNotFoundException>().WithMessage("*configured: a, b*");
    }

    [Fact]
    public async Task A_health_check_is_registered_per_backend()
    {
        using var sp = FromJsonLike(new()
        {
            ["Mlops:DefaultBackend"] = "a",
            ["Mlops:Backends:a:Type"] = "Memory",
            ["Mlops:Backends:b:Type"] = TestHttpBackend.TypeName,
            ["Mlops:Backends:b:BaseUrl"] = "http://127.0.0.1:9/",
            ["Mlops:Backends:b:Resilience:MaxRetryAttempts"] = "0",
        });
        var report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        report.Entries.Keys.Should().BeEquivalentTo("mlops:a", "mlops:b");
        report.Entries["mlops:a"].Status.Should().Be(HealthStatus.Healthy);
        report.Entries["mlops:b"].Status.Should().Be(HealthStatus.Unhealthy);
    }
}
