using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests.Hostile;

/// <summary>
/// Issue 11 item 4, bad configuration: invalid numbers and URLs stop the application at start-up with an
/// <see cref="OptionsValidationException"/> naming the key; credentials over plain http to a host that is not loopback
/// stop it too unless <c>Auth:AllowInsecureCredentials</c> is set, which starts and logs one warning per backend.
/// </summary>
public sealed class BadConfigurationTests
{
    private const string Key = "Mlops:Backends:ml";
    private const string Secret = "canary-config-secret-7d1f";

    public static TheoryData<string, string> BadValues() => new()
    {
        { "TotalTimeout zero", $"{Key}:Resilience:TotalTimeout: must be between 10 ms and 1 day" },
        { "TotalTimeout negative", $"{Key}:Resilience:TotalTimeout: must be between 10 ms and 1 day" },
        { "AttemptTimeout zero", $"{Key}:Resilience:AttemptTimeout: must be between 10 ms and 1 day" },
        { "AttemptTimeout negative", $"{Key}:Resilience:AttemptTimeout: must be between 10 ms and 1 day" },
        { "BaseDelay negative", $"{Key}:Resilience:BaseDelay/MaxDelay: need 0 <= BaseDelay <= MaxDelay" },
        { "CircuitBreakDuration zero", $"{Key}:Resilience:CircuitBreakDuration: must be at least 500 ms" },
        { "RefreshBeforeExpiry negative", $"{Key}:Auth:RefreshBeforeExpiry: must not be negative" },
        { "MaxConcurrentRequests negative", $"{Key}:MaxConcurrentRequests: must be at least 1" },
        { "BaseUrl relative", $"{Key}:BaseUrl: '/mlflow' is not an absolute http or https URL" },
        { "BaseUrl without scheme", $"{Key}:BaseUrl: 'mlflow:5000' is not an absolute http or https URL" },
        { "BaseUrl malformed", $"{Key}:BaseUrl: 'http//mlflow' is not an absolute http or https URL" },
        { "BaseUrl with credentials", $"{Key}:BaseUrl: must not carry credentials in the URL" },
        { "Basic over http", $"{Key}:BaseUrl: 'http://mlflow.internal:5000/' is plain http to a host that is not loopback, so Auth:Type Basic credentials" },
        { "Bearer over http", $"{Key}:BaseUrl: 'http://mlflow.internal:5000/' is plain http to a host that is not loopback, so Auth:Type Bearer credentials" },
        { "TokenExchange over http", $"{Key}:BaseUrl: 'http://mlflow.internal:5000/' is plain http to a host that is not loopback, so Auth:Type TokenExchange credentials" },
        { "TokenExchange token URL over http", $"{Key}:Auth:TokenUrl: 'http://login.internal/auth/token' is plain http" },
        { "TokenFile over http", $"{Key}:BaseUrl: 'http://mlflow.internal:5000/' is plain http to a host that is not loopback, so Auth:Type TokenFile credentials" },
        { "Headers auth over http", $"{Key}:BaseUrl: 'http://mlflow.internal:5000/' is plain http to a host that is not loopback, so Auth:Type Headers credentials" },
        { "Authorization header over http", $"{Key}:BaseUrl: 'http://mlflow.internal:5000/' is plain http to a host that is not loopback, so the Headers:Authorization header" },
        { "Secret header over http", $"{Key}:BaseUrl: 'http://mlflow.internal:5000/' is plain http to a host that is not loopback, so the Headers:X-Api-Key header" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_stops_start_up_naming_the_key_and_never_the_secret(string name, string expected)
    {
        using var tokenFile = new TempTokenFile();
        var failure = Start(o => Apply(name, o, tokenFile.Path), new LogCollector());

        var error = failure.Should().BeOfType<OptionsValidationException>().Subject;
        error.Message.Should().Contain(expected).And.NotContain(Secret);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://localhost:5000")]
    [InlineData("http://[::1]:5000")]
    [InlineData("https://mlflow.internal")]
    public void Credentials_over_loopback_http_or_https_start(string baseUrl)
    {
        var logs = new LogCollector();
        Start(o => { o.BaseUrl = baseUrl; Bearer(o); }, logs).Should().BeNull();
        logs.Messages.Should().NotContain(m => m.Contains("AllowInsecureCredentials", StringComparison.Ordinal));
    }

    [Fact]
    public void Plain_http_without_credentials_starts()
        => Start(o => o.BaseUrl = "http://mlflow.internal:5000", new LogCollector()).Should().BeNull();

    [Theory]
    [InlineData("Basic over http")]
    [InlineData("Bearer over http")]
    [InlineData("TokenExchange over http")]
    [InlineData("TokenFile over http")]
    [InlineData("Headers auth over http")]
    [InlineData("Authorization header over http")]
    public void The_opt_in_starts_and_warns_once_per_backend_without_the_secret(string name)
    {
        using var tokenFile = new TempTokenFile();
        var logs = new LogCollector();
        using var services = Build(o => { Apply(name, o, tokenFile.Path); o.Auth.AllowInsecureCredentials = true; }, logs);

        var provider = services.GetRequiredService<IMlopsBackendProvider>();
        provider.Get("ml").Should().NotBeNull();
        var factory = services.GetRequiredService<IHttpClientFactory>();
        factory.CreateClient(MlopsHttpClientNames.For("ml")).Dispose();
        factory.CreateClient(MlopsHttpClientNames.For("ml")).Dispose();

        var warnings = logs.Messages.Where(m => m.Contains("AllowInsecureCredentials", StringComparison.Ordinal)).ToList();
        warnings.Should().ContainSingle().Which.Should().Contain("Backend 'ml'").And.Contain("http://mlflow.internal:5000/").And.NotContain(Secret);
    }

    private static void Apply(string name, BackendOptions o, string tokenFile)
    {
        switch (name)
        {
            case "TotalTimeout zero": o.Resilience.TotalTimeout = TimeSpan.Zero; break;
            case "TotalTimeout negative": o.Resilience.TotalTimeout = TimeSpan.FromSeconds(-1); break;
            case "AttemptTimeout zero": o.Resilience.AttemptTimeout = TimeSpan.Zero; break;
            case "AttemptTimeout negative": o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(-5); break;
            case "BaseDelay negative": o.Resilience.BaseDelay = TimeSpan.FromSeconds(-1); break;
            case "CircuitBreakDuration zero": o.Resilience.CircuitBreakDuration = TimeSpan.Zero; break;
            case "RefreshBeforeExpiry negative": TokenExchange(o); o.Auth.RefreshBeforeExpiry = TimeSpan.FromSeconds(-1); break;
            case "MaxConcurrentRequests negative": o.MaxConcurrentRequests = -4; break;
            case "BaseUrl relative": o.BaseUrl = "/mlflow"; break;
            case "BaseUrl without scheme": o.BaseUrl = "mlflow:5000"; break;
            case "BaseUrl malformed": o.BaseUrl = "http//mlflow"; break;
            case "BaseUrl with credentials": o.BaseUrl = $"https://admin:{Secret}@mlflow.internal"; break;
            case "Basic over http": Remote(o); o.Auth.Type = "Basic"; o.Auth.Username = "admin"; o.Auth.Password = Secret; break;
            case "Bearer over http": Remote(o); Bearer(o); break;
            case "TokenExchange over http": Remote(o); TokenExchange(o); break;
            case "TokenExchange token URL over http": TokenExchange(o); o.Auth.TokenUrl = "http://login.internal/auth/token"; break;
            case "TokenFile over http": Remote(o); o.Auth.Type = "TokenFile"; o.Auth.TokenFile = tokenFile; break;
            case "Headers auth over http": Remote(o); o.Auth.Type = "Headers"; o.Auth.Headers["kubeflow-userid"] = Secret; break;
            case "Authorization header over http": Remote(o); o.Headers["Authorization"] = "Bearer " + Secret; break;
            case "Secret header over http": Remote(o); o.Headers["X-Api-Key"] = "env:PATH"; break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "no such case");
        }
    }

    private static void Remote(BackendOptions o) => o.BaseUrl = "http://mlflow.internal:5000";

    private static void Bearer(BackendOptions o)
    {
        o.Auth.Type = "Bearer";
        o.Auth.Token = Secret;
    }

    private static void TokenExchange(BackendOptions o)
    {
        o.Auth.Type = "TokenExchange";
        o.Auth.Username = "admin";
        o.Auth.Password = Secret;
    }

    private static ServiceProvider Build(Action<BackendOptions> configure, LogCollector logs)
    {
        var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddMlopsGateway(o =>
        {
            var backend = new BackendOptions { Type = "MLflow", BaseUrl = "https://mlflow.internal" };
            configure(backend);
            o.Backends["ml"] = backend;
        }).AddMLflow();
        return services.BuildServiceProvider();
    }

    /// <summary>Resolves the gateway as an application's first use does; returns what start-up threw, or null.</summary>
    private static Exception? Start(Action<BackendOptions> configure, LogCollector logs)
    {
        using var services = Build(configure, logs);
        return Record.Exception(() => services.GetRequiredService<IMlopsBackendProvider>().Get("ml"));
    }

    private sealed class TempTokenFile : IDisposable
    {
        public TempTokenFile() => File.WriteAllText(Path, Secret);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlops-token-{Guid.NewGuid():N}");

        public void Dispose() => File.Delete(Path);
    }
}
