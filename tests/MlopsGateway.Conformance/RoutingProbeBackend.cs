using System.Collections.Concurrent;

namespace MlopsGateway.Conformance;

/// <summary>
/// A minimal in-memory tracking backend that records every run operation it receives. The conformance
/// fixture routes the composite's Runs to it, so the routing scenarios can prove which backend a call
/// reached: run-scoped calls must go to the run's backend of record, creates to the probe.
/// </summary>
public sealed class RoutingProbeBackend : MlopsBackendBase
{
    /// <summary>The backend type the fixture registers it under.</summary>
    public const string TypeName = "ConformanceProbe";

    private readonly ConcurrentQueue<string> _operations = new();
    private readonly ConcurrentDictionary<string, Run> _runs = new(StringComparer.Ordinal);

    /// <summary>Creates the probe.</summary>
    /// <param name="context">The backend context built by DI.</param>
    public RoutingProbeBackend(BackendContext context) : base(context)
    {
        Runs = new ProbeRuns(this);
        Pipelines = new UnsupportedPipelineClient(this, "The conformance probe only tracks runs.");
        Models = new UnsupportedModelRegistryClient(this, "The conformance probe only tracks runs.");
    }

    /// <summary>Every operation received, as <c>Runs.Get:{runId}</c> or <c>Runs.CreateRun:{experimentId}</c>.</summary>
    public IReadOnlyList<string> Operations => _operations.ToArray();

    /// <inheritdoc/>
    public override string Kind => "ConformanceProbe";

    /// <inheritdoc/>
    public override BackendCapabilities Capabilities { get; } = BackendCapabilities.Create(new Dictionary<MlopsCapability, CapabilitySupport>
    {
        [MlopsCapability.RunTracking] = CapabilitySupport.Native,
        [MlopsCapability.RunRead] = CapabilitySupport.Native,
    });

    /// <inheritdoc/>
    public override IRunClient Runs { get; }

    /// <inheritdoc/>
    public override IPipelineClient Pipelines { get; }

    /// <inheritdoc/>
    public override IModelRegistryClient Models { get; }

    /// <inheritdoc/>
    public override Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
        => Task.FromResult(BackendHealth.Healthy("in-memory probe"));

    private sealed class ProbeRuns(RoutingProbeBackend probe) : RunClientBase(probe)
    {
        public override Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
        {
            probe._operations.Enqueue($"Runs.CreateRun:{experimentId}");
            var run = new Run
            {
                Backend = probe.Name,
                Id = Guid.NewGuid().ToString("N"),
                Name = options?.Name,
                ExperimentId = experimentId,
                Status = RunStatus.Running,
                StartTime = probe.Context.TimeProvider.GetUtcNow(),
            };
            probe._runs[run.Id] = run;
            return Task.FromResult(run);
        }

        public override Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
        {
            probe._operations.Enqueue($"Runs.Get:{run.Id}");
            return probe._runs.TryGetValue(run.Id, out var found)
                ? Task.FromResult(found)
                : Task.FromException<Run>(new MlopsNotFoundException($"Run '{run.Id}' does not exist on the probe.",
                    new MlopsErrorDetails { Backend = probe.Name, Operation = "Runs.Get" }));
        }

        public override MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
        {
            probe._operations.Enqueue("Runs.List");
            var all = probe._runs.Values.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray();
            return MlopsPageable<Run>.Create((token, size, _) =>
            {
                var offset = token is null ? 0 : int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
                var page = all.Skip(offset).Take(size).ToArray();
                var next = offset + page.Length < all.Length ? (offset + page.Length).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
                return Task.FromResult(new MlopsPage<Run>(page, next));
            }, 100, cancellationToken);
        }
    }
}
