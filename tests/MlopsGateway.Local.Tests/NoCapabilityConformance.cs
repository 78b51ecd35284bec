using MlopsGateway.Conformance;

namespace MlopsGateway.Local.Tests;

/// <summary>
/// Runs the conformance suite against a backend that declares no capability at all, so every scenario's
/// "capability off" branch is exercised: each must see <see cref="MlopsNotSupportedException"/> from the
/// real DI-built (instrumented) backend instead of skipping.
/// </summary>
public sealed class NoCapabilityFixture : ConformanceFixture
{
    private long _calls;

    public override long RequestCount => Interlocked.Read(ref _calls);

    protected override BackendOptions CreateBackendOptions() => new() { Type = NoCapabilityBackend.TypeName };

    protected override void RegisterBackendType(MlopsGatewayBuilder builder) => builder.AddBackendType(new BackendTypeRegistration
    {
        Type = NoCapabilityBackend.TypeName,
        Factory = context => new NoCapabilityBackend(context, () => Interlocked.Increment(ref _calls)),
        RequiresBaseUrl = false,
    });

    public override Task<string?> SeedPipelineAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    public override Task<Run> CreateRunForTestAsync(string scope, CancellationToken cancellationToken = default)
        => Task.FromResult(new Run { Backend = BackendName, Id = $"{scope}-{Guid.NewGuid():N}", Status = RunStatus.Running });

    public override Task CompleteRunAsync(Run run, RunStatus outcome, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>A backend whose sub-clients support nothing; its health probe counts as a request.</summary>
    private sealed class NoCapabilityBackend : MlopsBackendBase
    {
        public const string TypeName = "NoCapability";
        private readonly Action _request;

        public NoCapabilityBackend(BackendContext context, Action request) : base(context)
        {
            _request = request;
            Runs = new UnsupportedRunClient(this, "Use a tracking backend.");
            Pipelines = new UnsupportedPipelineClient(this, "Use an orchestration backend.");
            Models = new UnsupportedModelRegistryClient(this, "Use a registry backend.");
        }

        public override string Kind => TypeName;
        public override BackendCapabilities Capabilities => BackendCapabilities.None;
        public override IRunClient Runs { get; }
        public override IPipelineClient Pipelines { get; }
        public override IModelRegistryClient Models { get; }

        public override Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
        {
            _request();
            return Task.FromResult(BackendHealth.Healthy("nothing to check"));
        }
    }
}

public sealed class NoCapabilityConformanceTests(NoCapabilityFixture fixture) : ConformanceSuite<NoCapabilityFixture>(fixture);
