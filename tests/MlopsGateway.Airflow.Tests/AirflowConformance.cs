using MlopsGateway.Airflow.Tests.Fake;
using MlopsGateway.Conformance;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>
/// The conformance suite against the stateful fake of one dialect, behind <c>prism proxy &lt;official spec&gt; --errors</c>
/// when Prism is installed (always under CI), so every request and every fake response is checked against
/// the spec: a violation fails the scenario (Prism answers it with 422/500) and, at the end, the fixture.
/// </summary>
public abstract class AirflowConformanceFixture(FakeDialect dialect) : ConformanceFixture
{
    private readonly PrismTraffic _traffic = new();

    /// <summary>Everything the backend under test exchanged (through Prism when installed).</summary>
    public PrismTraffic Traffic => _traffic;

    /// <summary>Whether the backend goes through prism proxy.</summary>
    public bool IsProxied => _proxy is not null;
    private PrismProcess? _proxy;

    /// <summary>The fake behind the proxy.</summary>
    public AirflowFake Fake { get; private set; } = null!;

    /// <inheritdoc/>
    public override long RequestCount => Fake.Server.Requests.Count;

    private static bool ThroughPrism => (SharedPaths.PrismAvailable && SharedPaths.SharedAvailable) || SharedPaths.IsCi;

    /// <inheritdoc/>
    protected override async Task StartBackendAsync()
    {
        // Prism serves v1 at the root (its server URL is relative), so behind it the fake does too.
        Fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = dialect, Prefix = dialect == FakeDialect.V1 && ThroughPrism ? "" : null });
        if (ThroughPrism)
        {
            _proxy = await PrismProcess.ProxyAsync(SharedPaths.Shared("specs", dialect == FakeDialect.V1 ? "airflow-v1.yaml" : "airflow-v2.yaml"), Fake.BaseUri);
        }
    }

    /// <inheritdoc/>
    protected override async Task StopBackendAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
        await Fake.DisposeAsync();
        var violations = _traffic.Without("/auth/token").Exchanges.Where(e => e.Violations.Count > 0).ToList();
        violations.Should().BeEmpty("Prism found no violation in any request or fake response");
    }

    /// <inheritdoc/>
    protected override BackendOptions CreateBackendOptions()
    {
        var options = new BackendOptions { Type = "Airflow", BaseUrl = (_proxy?.BaseUri ?? Fake.BaseUri).ToString() };
        options.Settings["ApiVersion"] = dialect == FakeDialect.V1 ? "v1" : "v2";
        if (dialect == FakeDialect.V1 && _proxy is not null)
        {
            options.Settings["ApiBasePath"] = "/";
        }
        options.Auth.Type = dialect == FakeDialect.V1 ? "Basic" : "TokenExchange";
        options.Auth.Username = "admin";
        options.Auth.Password = "admin";
        if (dialect == FakeDialect.V2)
        {
            options.Auth.TokenUrl = new Uri(Fake.BaseUri, "auth/token").ToString(); // not in the v2 spec: straight to the fake
        }
        options.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
        options.Resilience.MaxDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    /// <inheritdoc/>
    protected override void RegisterBackendType(MlopsGatewayBuilder builder)
    {
        builder.AddAirflow();
        _traffic.Attach(backendName: BackendName)(builder);
    }

    /// <inheritdoc/>
    public override Task<string?> SeedPipelineAsync(string name, CancellationToken cancellationToken = default)
    {
        Fake.AddDag(name, ["extract", "train"], tags: ["conformance"], logLine: "conformance task log");
        return Task.FromResult<string?>(name);
    }

    /// <inheritdoc/>
    public override async Task<Run> CreateRunForTestAsync(string scope, CancellationToken cancellationToken = default)
    {
        if (!Fake.HasDag(scope))
        {
            await SeedPipelineAsync(scope, cancellationToken);
        }
        return await Backend.Pipelines.TriggerAsync(scope, null, cancellationToken);
    }

    /// <inheritdoc/>
    public override Task CompleteRunAsync(Run run, RunStatus outcome, CancellationToken cancellationToken = default)
    {
        AirflowMapping.TryParseRunId(run.Id, out var dagId, out var dagRunId).Should().BeTrue(run.Id);
        Fake.CompleteRun(dagId, dagRunId, outcome == RunStatus.Succeeded);
        return Task.CompletedTask;
    }
}

/// <summary>Airflow 2 dialect.</summary>
public sealed class AirflowV1ConformanceFixture() : AirflowConformanceFixture(FakeDialect.V1);

/// <summary>Airflow 3 dialect.</summary>
public sealed class AirflowV2ConformanceFixture() : AirflowConformanceFixture(FakeDialect.V2);

/// <summary>The suite on the Airflow 2 dialect, plus the adapter's own scenario.</summary>
public sealed class AirflowV1Conformance(AirflowV1ConformanceFixture fixture) : ConformanceSuite<AirflowV1ConformanceFixture>(fixture)
{
    [Fact]
    public async Task Adapter_scenario_passes_behind_prism_proxy()
    {
        await AdapterScenario.RunAsync(Backend, Fixture.Fake, "p1_");
        Fixture.IsProxied.Should().Be(SharedPaths.PrismAvailable && SharedPaths.SharedAvailable || SharedPaths.IsCi);
        AdapterScenario.AssertClean(Fixture.Traffic);
    }
}

/// <summary>The suite on the Airflow 3 dialect, plus the adapter's own scenario.</summary>
public sealed class AirflowV2Conformance(AirflowV2ConformanceFixture fixture) : ConformanceSuite<AirflowV2ConformanceFixture>(fixture)
{
    [Fact]
    public async Task Adapter_scenario_passes_behind_prism_proxy()
    {
        await AdapterScenario.RunAsync(Backend, Fixture.Fake, "p2_");
        Fixture.IsProxied.Should().Be(SharedPaths.PrismAvailable && SharedPaths.SharedAvailable || SharedPaths.IsCi);
        AdapterScenario.AssertClean(Fixture.Traffic.Without("/auth/token"));
    }
}
