namespace MlopsGateway;

/// <summary>
/// The default backend when <c>Routing</c> is configured: creates, lists and searches go to each
/// sub-client's routed backend; every run-scoped call goes to the run's backend of record
/// (<see cref="RunRef.Backend"/>), so a run triggered on Kubeflow is waited on through Kubeflow even
/// when Runs are routed to MLflow. Run listings filtered by pipeline go to the Pipelines backend.
/// </summary>
internal sealed class CompositeBackend : IMlopsBackend
{
    private readonly IMlopsBackendProvider _provider;

    public CompositeBackend(IMlopsBackendProvider provider, string runs, string pipelines, string models)
    {
        _provider = provider;
        RunsBackend = runs;
        PipelinesBackend = pipelines;
        ModelsBackend = models;
        Runs = new CompositeRunClient(this);
        Pipelines = new CompositePipelineClient(this);
        Models = new CompositeModelRegistryClient(this);
        Capabilities = MergeCapabilities();
    }

    public const string CompositeKind = "Composite";

    public string Name => "composite";
    public string Kind => CompositeKind;
    public string RunsBackend { get; }
    public string PipelinesBackend { get; }
    public string ModelsBackend { get; }
    public BackendCapabilities Capabilities { get; }
    public IRunClient Runs { get; }
    public IPipelineClient Pipelines { get; }
    public IModelRegistryClient Models { get; }

    internal IMlopsBackend Get(string name) => _provider.Get(name);

    /// <summary>The backend of record for a run-scoped call: the run's own backend, else the Runs route.</summary>
    internal IMlopsBackend ForRun(RunRef run) => _provider.Get(run.Backend ?? RunsBackend);

    private IEnumerable<string> Distinct() => new[] { RunsBackend, PipelinesBackend, ModelsBackend }.Distinct(StringComparer.OrdinalIgnoreCase);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }
        return Distinct().Select(n => _provider.Get(n).GetService(serviceType, serviceKey)).FirstOrDefault(s => s is not null);
    }

    public async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var names = Distinct().ToArray();
        var results = await Task.WhenAll(names.Select(n => _provider.Get(n).CheckHealthAsync(cancellationToken))).ConfigureAwait(false);
        var data = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Length; i++)
        {
            data[names[i]] = results[i];
        }
        var unhealthy = names.Where((_, i) => !results[i].IsHealthy).ToArray();
        return unhealthy.Length == 0
            ? new BackendHealth(true, $"All routed backends are healthy ({string.Join(", ", names)}).", Data: data)
            : new BackendHealth(false, $"Unhealthy: {string.Join(", ", unhealthy.Select(n => $"{n} ({results[Array.IndexOf(names, n)].Description})"))}.", Data: data);
    }

    private BackendCapabilities MergeCapabilities()
    {
        var support = new Dictionary<MlopsCapability, CapabilitySupport>();
        foreach (var capability in Enum.GetValues<MlopsCapability>())
        {
            var owner = CapabilityAreas.Of(capability) switch
            {
                CapabilityArea.Runs => RunsBackend,
                CapabilityArea.Pipelines => PipelinesBackend,
                _ => ModelsBackend,
            };
            support[capability] = _provider.Get(owner).Capabilities[capability];
        }
        var runs = _provider.Get(RunsBackend).Capabilities;
        return BackendCapabilities.Create(support, runs.Limits, runs.ClientSideFilters);
    }
}

/// <summary>Which sub-client a capability belongs to (the composite takes each from that sub-client's backend).</summary>
public enum CapabilityArea
{
    /// <summary>Tracking and run lifecycle (<see cref="IMlopsBackend.Runs"/>).</summary>
    Runs,
    /// <summary>Orchestration (<see cref="IMlopsBackend.Pipelines"/>).</summary>
    Pipelines,
    /// <summary>The registry (<see cref="IMlopsBackend.Models"/>).</summary>
    Models,
}

/// <summary>Maps each <see cref="MlopsCapability"/> to its <see cref="CapabilityArea"/>.</summary>
public static class CapabilityAreas
{
    /// <summary>The area of <paramref name="capability"/>.</summary>
    /// <param name="capability">The capability.</param>
    public static CapabilityArea Of(MlopsCapability capability) => capability switch
    {
        >= MlopsCapability.ModelRegistry => CapabilityArea.Models,
        >= MlopsCapability.Pipelines => CapabilityArea.Pipelines,
        _ => CapabilityArea.Runs,
    };
}
