namespace MlopsGateway;

/// <summary>
/// Wraps a backend so every public operation gets one INTERNAL span named <c>{SubClient}.{Method}</c>
/// with the gateway's attributes, a duration measurement, and error.type on failure — written once here,
/// so adapters never create operation spans. Lists get one span per page fetched.
/// </summary>
internal sealed class InstrumentedBackend : IMlopsBackend
{
    private readonly IMlopsBackend _inner;
    private readonly TimeProvider _time;
    private readonly string? _serverAddress;
    private readonly int? _serverPort;

    public InstrumentedBackend(IMlopsBackend inner, TimeProvider time, Uri? server)
    {
        _inner = inner;
        _time = time;
        _serverAddress = server?.Host;
        _serverPort = server?.Port;
        Runs = new InstrumentedRunClient(inner.Runs, this);
        Pipelines = new InstrumentedPipelineClient(inner.Pipelines, this);
        Models = new InstrumentedModelRegistryClient(inner.Models, this);
    }

    public IMlopsBackend Inner => _inner;
    public string Name => _inner.Name;
    public string Kind => _inner.Kind;
    public BackendCapabilities Capabilities => _inner.Capabilities;
    public IRunClient Runs { get; }
    public IPipelineClient Pipelines { get; }
    public IModelRegistryClient Models { get; }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }
        return _inner.GetService(serviceType, serviceKey);
    }

    public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
        => InvokeAsync("Backend.CheckHealth", null, () => _inner.CheckHealthAsync(cancellationToken));

    internal OperationScope Start(string operation, Action<OperationScope>? tag)
    {
        var scope = OperationScope.Start(operation, Name, Kind, _time);
        if (_serverAddress is not null)
        {
            scope.SetTag(MlopsTelemetry.ServerAddressAttribute, _serverAddress);
            scope.Activity?.SetTag(MlopsTelemetry.ServerPortAttribute, _serverPort);
        }
        tag?.Invoke(scope);
        return scope;
    }

    internal async Task<T> InvokeAsync<T>(string operation, Action<OperationScope>? tag, Func<Task<T>> call)
    {
        using var scope = Start(operation, tag);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            scope.Fail(ex);
            throw;
        }
    }

    internal async Task InvokeAsync(string operation, Action<OperationScope>? tag, Func<Task> call)
    {
        using var scope = Start(operation, tag);
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            scope.Fail(ex);
            throw;
        }
    }

    internal MlopsPageable<T> List<T>(string operation, Action<OperationScope>? tag, Func<MlopsPageable<T>> create)
    {
        var inner = Create(operation, tag, create);
        return inner.WrapFetches(fetch => InvokeAsync(operation, tag, fetch))
            ?? new InstrumentedPageable<T>(inner, this, operation, tag);
    }

    /// <summary>Calls a method that only builds a lazy result (a listing, a log stream); a synchronous failure such as NotSupported still gets its span.</summary>
    internal T Create<T>(string operation, Action<OperationScope>? tag, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception ex)
        {
            using var scope = Start(operation, tag);
            scope.Fail(ex);
            throw;
        }
    }

    /// <summary>Enumerates a stream (a streamed listing, a log being tailed) inside one operation span.</summary>
    internal async IAsyncEnumerable<T> Stream<T>(string operation, Action<OperationScope>? tag, IAsyncEnumerable<T> source,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var scope = Start(operation, tag);
        await using var items = source.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            scope.Enter();
            try
            {
                if (!await items.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (Exception ex)
            {
                scope.Fail(ex);
                throw;
            }
            yield return items.Current;
        }
    }

    internal static Action<OperationScope> RunTag(RunRef run) => s => s.SetTag(MlopsTelemetry.RunIdAttribute, run.Id);
    internal static Action<OperationScope> PipelineTag(string pipelineId) => s => s.SetTag(MlopsTelemetry.PipelineIdAttribute, pipelineId);
    internal static Action<OperationScope> ModelTag(string model) => s => s.SetTag(MlopsTelemetry.ModelNameAttribute, model);
}
