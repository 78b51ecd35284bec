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
        RunHolders = [.. Distinct().Where(n => _provider.Get(n).Capabilities.Supports(MlopsCapability.RunRead))];
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

    /// <summary>
    /// Where a run-scoped call goes: the run's own backend (<see cref="RunRef.Backend"/>). A bare id goes to
    /// the only routed backend that holds runs; with several it is ambiguous, and the error says how to
    /// qualify it rather than guessing (a guess fails later as a confusing NotFound).
    /// </summary>
    /// <param name="run">The caller's reference.</param>
    /// <param name="subClient"><c>Runs</c> or <c>Pipelines</c>.</param>
    /// <param name="routedBackend">The backend routing names for the sub-client (used when no backend holds runs).</param>
    /// <param name="method">The calling method, for the operation name in errors.</param>
    internal RunRoute RouteRun(RunRef run, string subClient, string routedBackend, string method)
    {
        ArgumentNullException.ThrowIfNull(run);
        var operation = $"{subClient}.{(method.EndsWith("Async", StringComparison.Ordinal) ? method[..^5] : method)}";
        string target;
        if (run.Backend is { } own)
        {
            target = _provider.Names.FirstOrDefault(n => string.Equals(n, own, StringComparison.OrdinalIgnoreCase))
                ?? throw new MlopsValidationException(
                    $"{operation}: run '{run.Id}' belongs to backend '{own}', which is not configured here (configured: {string.Join(", ", _provider.Names)}).",
                    new MlopsErrorDetails { Operation = operation });
        }
        else
        {
            target = RunHolders.Count switch
            {
                0 => routedBackend,
                1 => RunHolders[0],
                _ => throw AmbiguousBareId(run.Id, operation, RunHolders),
            };
        }
        return new RunRoute(run, target, _provider.Get(target), subClient, routedBackend);
    }

    /// <summary>The distinct routed backends that can hold runs (<see cref="MlopsCapability.RunRead"/>).</summary>
    private IReadOnlyList<string> RunHolders { get; }

    private MlopsValidationException AmbiguousBareId(string id, string operation, IReadOnlyList<string> holders)
    {
        var candidates = string.Join(", ", holders.Select(n => $"'{n}' ({_provider.Get(n).Kind})"));
        var separator = id.IndexOf(':', StringComparison.Ordinal);
        var looksQualified = separator > 0 && _provider.Names.Contains(id[..separator], StringComparer.OrdinalIgnoreCase)
            ? $" '{id}' looks like the text form of a reference: read it with RunRef.Parse(\"{id}\") instead of converting the string."
            : "";
        return new MlopsValidationException(
            $"{operation}: run id '{id}' does not say which backend it belongs to, and runs live on several backends here ({candidates}). "
            + $"Pass the Run itself (it carries Run.Backend) or a qualified reference: RunRef.Parse(\"{holders[0]}:{id}\") or new RunRef(\"{id}\", \"{holders[0]}\").{looksQualified}",
            new MlopsErrorDetails { Operation = operation });
    }

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
