using MlopsGateway.Conformance;
using MlopsGateway.MLflow.Tests.Fake;

namespace MlopsGateway.MLflow.Tests;

/// <summary>
/// The conformance fixture for MLflow: the adapter built through <c>AddMlopsGateway().AddMLflow()</c>
/// against the stateful fake. MLflow holds no pipelines (Pipelines scenarios see NotSupported with zero
/// requests); runs are tracked runs in an experiment per scope, ended through the gateway.
/// </summary>
public sealed class MLflowConformanceFixture : ConformanceFixture
{
    private MLflowFake? _fake;

    private MLflowFake Fake => _fake ?? throw new InvalidOperationException("The fake is not started.");

    public override long RequestCount => Fake.Requests.Count;

    protected override async Task StartBackendAsync() => _fake = await MLflowFake.StartAsync();

    protected override async Task StopBackendAsync()
    {
        if (_fake is not null)
        {
            await _fake.DisposeAsync();
        }
    }

    protected override BackendOptions CreateBackendOptions()
    {
        var options = new BackendOptions { Type = "MLflow", BaseUrl = Fake.BaseUri.ToString() };
        options.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
        options.Resilience.MaxDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    protected override void RegisterBackendType(MlopsGatewayBuilder builder) => builder.AddMLflow();

    public override Task<string?> SeedPipelineAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    public override async Task<Run> CreateRunForTestAsync(string scope, CancellationToken cancellationToken = default)
    {
        var experiment = await GetOrCreateExperimentAsync(scope, cancellationToken);
        return await Backend.Runs.CreateRunAsync(experiment.Id, new RunCreateOptions { Name = scope }, cancellationToken);
    }

    /// <summary>A tracked MLflow run ends when its client says so: end it through the gateway.</summary>
    public override Task CompleteRunAsync(Run run, RunStatus outcome, CancellationToken cancellationToken = default)
        => Backend.Runs.EndAsync(run, outcome, cancellationToken);
}

/// <summary>The conformance scenarios against MLflow.</summary>
public sealed class MLflowConformance(MLflowConformanceFixture fixture) : ConformanceSuite<MLflowConformanceFixture>(fixture);
