using System.Diagnostics;

namespace MlopsGateway;

/// <summary>
/// Wraps a backend so every public operation gets one INTERNAL span named <c>{SubClient}.{Method}</c>
/// with the gateway's attributes, a duration measurement, and error.type on failure — through the one
/// <see cref="MlopsOperations"/>, so adapters never create operation spans. Lists get one span per page fetched.
/// </summary>
internal sealed class InstrumentedBackend : IMlopsBackend
{
    private readonly IMlopsBackend _inner;

    public InstrumentedBackend(IMlopsBackend inner, TimeProvider time, Uri? server)
    {
        _inner = inner;
        Operations = new MlopsOperations(inner.Name, inner.Kind, server, time);
        Runs = new InstrumentedRunClient(inner.Runs, this);
        Pipelines = new InstrumentedPipelineClient(inner.Pipelines, this);
        Models = new InstrumentedModelRegistryClient(inner.Models, this);
    }

    public IMlopsBackend Inner => _inner;
    public MlopsOperations Operations { get; }
    public string Name => _inner.Name;
    public string Kind => _inner.Kind;
    public BackendCapabilities Capabilities => _inner.Capabilities;
    public IRunClient Runs { get; }
    public IPipelineClient Pipelines { get; }
    public IModelRegistryClient Models { get; }

    /// <summary>The traces of runs this backend triggered, so waiting for one joins its trigger's trace.</summary>
    internal TriggeredRunTraces Triggered { get; } = new();

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }
        // A neutral sub-client asked for by its interface is handed out instrumented; asked for by the adapter's own
        // type (LocalPipelineClient) it is the adapter's object, which only the adapter's type can give.
        var service = _inner.GetService(serviceType, serviceKey);
        foreach (var (raw, instrumented) in new (object Raw, object Instrumented)[] { (_inner.Runs, Runs), (_inner.Pipelines, Pipelines), (_inner.Models, Models) })
        {
            if (ReferenceEquals(service, raw) && serviceType.IsInstanceOfType(instrumented))
            {
                return instrumented;
            }
        }
        return service;
    }

    public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
        => InvokeAsync("Backend.CheckHealth", default, () => _inner.CheckHealthAsync(cancellationToken));

    internal Task<T> InvokeAsync<T>(string operation, OperationSubject subject, Func<Task<T>> call, ActivityContext parent = default)
        => Operations.InvokeAsync(operation, subject, call, parent: parent);

    internal Task InvokeAsync(string operation, OperationSubject subject, Func<Task> call)
        => Operations.InvokeAsync(operation, subject, call);

    internal MlopsPageable<T> List<T>(string operation, OperationSubject subject, Func<MlopsPageable<T>> create)
        => Operations.List(operation, subject, create);

    internal IAsyncEnumerable<T> Stream<T>(string operation, OperationSubject subject, Func<IAsyncEnumerable<T>> create, CancellationToken cancellationToken)
        => Operations.Stream(operation, subject, Operations.Create(operation, subject, create), joinEnclosing: false, cancellationToken);

    internal static OperationSubject RunTag(RunRef run)
    {
        ArgumentNullException.ThrowIfNull(run); // every run-scoped call of a DI-built backend passes here first
        return new(RunId: run.Id);
    }
    internal static OperationSubject PipelineTag(string pipelineId) => new(PipelineId: pipelineId);
    internal static OperationSubject ModelTag(string model) => new(ModelName: model);
}
