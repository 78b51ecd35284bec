using System.Diagnostics;

namespace MlopsGateway;

/// <summary>
/// Runs a backend's public operations inside the gateway's telemetry, written once: one INTERNAL span named
/// <c>{Service}.{Method}</c> carrying <c>mlops.backend.name</c>, <c>mlops.backend.kind</c>, <c>mlops.operation</c>,
/// <c>server.address</c> and <c>server.port</c>; one <c>mlops.client.operation.duration</c> measurement;
/// <c>error.type</c> on failure; and the backend and operation stamped on every <see cref="MlopsException"/> thrown
/// inside that does not name them yet. The neutral sub-clients get this from the core; an adapter wraps each public
/// method of a backend-specific service (the objects <see cref="IMlopsBackend.GetService"/> returns) with it.
/// An operation started while another operation of the same backend is in flight on the same flow (an adapter
/// using its own service) joins that operation instead of opening a span of its own.
/// </summary>
public sealed class MlopsOperations
{
    private readonly TimeProvider _time;
    private readonly string? _serverAddress;
    private readonly int? _serverPort;

    /// <summary>Creates the runner for one backend (or one server of it).</summary>
    /// <param name="context">The backend's context: its name and clock, and its <c>BaseUrl</c> as the server when <paramref name="server"/> is null.</param>
    /// <param name="kind">The backend kind as the adapter spells it (<c>MLflow</c>, <c>Kubeflow</c> …).</param>
    /// <param name="server">The server these operations talk to, when it is not the backend's <c>BaseUrl</c> (a Kubeflow Model Registry).</param>
    public MlopsOperations(BackendContext context, string kind, Uri? server = null)
        : this(NotNull(context).Name, kind, server ?? context.Options.GetBaseUri(), context.TimeProvider)
    {
    }

    internal MlopsOperations(string backendName, string kind, Uri? server, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(backendName);
        ArgumentNullException.ThrowIfNull(kind);
        BackendName = backendName;
        Kind = kind;
        _time = time ?? TimeProvider.System;
        _serverAddress = server?.Host;
        _serverPort = server?.Port;
    }

    /// <summary>The configured backend name recorded as <c>mlops.backend.name</c>.</summary>
    public string BackendName { get; }

    /// <summary>The backend kind recorded as <c>mlops.backend.kind</c>.</summary>
    public string Kind { get; }

    /// <summary>Runs one public operation that returns a value.</summary>
    /// <typeparam name="T">The result type; a returned <see cref="Run"/>, pipeline or model also names itself on the span.</typeparam>
    /// <param name="operation">The span name, <c>{Service}.{Method}</c> (for example <c>Schedules.Create</c>); never an id.</param>
    /// <param name="call">The operation's work.</param>
    /// <param name="subject">The run, pipeline or model the operation is about, when there is one.</param>
    public Task<T> RunAsync<T>(string operation, Func<Task<T>> call, OperationSubject subject = default)
        => InvokeAsync(operation, subject, call, joinEnclosing: true);

    /// <summary>Runs one public operation that returns nothing.</summary>
    /// <param name="operation">The span name, <c>{Service}.{Method}</c>; never an id.</param>
    /// <param name="call">The operation's work.</param>
    /// <param name="subject">The run, pipeline or model the operation is about, when there is one.</param>
    public Task RunAsync(string operation, Func<Task> call, OperationSubject subject = default)
        => InvokeAsync(operation, subject, call, joinEnclosing: true);

    /// <summary>
    /// Wraps a listing: a listing built from page fetches opens one span per page fetched; a streamed listing
    /// (one response read element by element) is one span for its whole enumeration, current at every step.
    /// Creating the listing sends nothing; a failure while creating it (a refused argument) still gets its span.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="operation">The span name, <c>{Service}.{Method}</c>.</param>
    /// <param name="create">Builds the lazy listing.</param>
    /// <param name="subject">The run, pipeline or model the listing is about, when there is one.</param>
    public MlopsPageable<T> List<T>(string operation, Func<MlopsPageable<T>> create, OperationSubject subject = default)
        => List(operation, subject, create, joinEnclosing: true);

    internal Activity? StartActivity(string operation, ActivityContext parent = default)
    {
        // A default parent means "the current activity", as StartActivity itself treats it.
        var activity = MlopsTelemetry.ActivitySource.StartActivity(operation, ActivityKind.Internal, parent);
        if (activity is not null)
        {
            activity.SetTag(MlopsTelemetry.BackendNameAttribute, BackendName);
            activity.SetTag(MlopsTelemetry.BackendKindAttribute, Kind);
            activity.SetTag(MlopsTelemetry.OperationAttribute, operation);
            if (_serverAddress is not null)
            {
                activity.SetTag(MlopsTelemetry.ServerAddressAttribute, _serverAddress);
                activity.SetTag(MlopsTelemetry.ServerPortAttribute, _serverPort);
            }
        }
        return activity;
    }

    internal OperationScope Start(string operation, OperationSubject subject, ActivityContext parent = default)
    {
        var scope = new OperationScope(operation, BackendName, Kind, _time, StartActivity(operation, parent));
        scope.Name(subject);
        return scope;
    }

    internal async Task<T> InvokeAsync<T>(string operation, OperationSubject subject, Func<Task<T>> call,
        bool joinEnclosing = false, ActivityContext parent = default)
    {
        if (joinEnclosing && IsInsideOwnOperation())
        {
            return await call().ConfigureAwait(false);
        }
        using var scope = Start(operation, subject, parent);
        try
        {
            var result = await call().ConfigureAwait(false);
            scope.TagResult(result);
            return result;
        }
        catch (Exception ex)
        {
            scope.Fail(ex);
            throw;
        }
    }

    internal async Task InvokeAsync(string operation, OperationSubject subject, Func<Task> call, bool joinEnclosing = false)
    {
        if (joinEnclosing && IsInsideOwnOperation())
        {
            await call().ConfigureAwait(false);
            return;
        }
        using var scope = Start(operation, subject);
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

    internal MlopsPageable<T> List<T>(string operation, OperationSubject subject, Func<MlopsPageable<T>> create, bool joinEnclosing = false)
    {
        var inner = Create(operation, subject, create, joinEnclosing);
        return inner.WrapFetches(fetch => InvokeAsync(operation, subject, async () =>
            {
                var page = await fetch().ConfigureAwait(false);
                OperationScope.Current?.Activity?.SetTag(MlopsTelemetry.PageSizeAttribute, page.Values.Count);
                return page;
            }, joinEnclosing))
            ?? new InstrumentedPageable<T>(inner, this, operation, subject, joinEnclosing);
    }

    /// <summary>Calls a method that only builds a lazy result (a listing, a log stream); a synchronous failure such as NotSupported still gets its span.</summary>
    internal T Create<T>(string operation, OperationSubject subject, Func<T> create, bool joinEnclosing = false)
    {
        try
        {
            return create();
        }
        catch (Exception ex) when (!(joinEnclosing && IsInsideOwnOperation()))
        {
            using var scope = Start(operation, subject);
            scope.Fail(ex);
            throw;
        }
    }

    /// <summary>
    /// Enumerates a stream (a streamed listing, a log being tailed) inside one operation span. An async iterator
    /// resumes on its consumer's execution context at each step, so the span is made current again before every
    /// step: each request the stream makes is the span's child, and the consumer's own work between items is not.
    /// </summary>
    internal async IAsyncEnumerable<T> Stream<T>(string operation, OperationSubject subject, IAsyncEnumerable<T> source,
        bool joinEnclosing, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (joinEnclosing && IsInsideOwnOperation())
        {
            await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
            yield break;
        }
        using var scope = Start(operation, subject);
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

    private bool IsInsideOwnOperation() => OperationScope.Current is { } outer && outer.Backend == BackendName;

    private static BackendContext NotNull(BackendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context;
    }
}

/// <summary>The object an operation is about, recorded on its span as <c>mlops.run.id</c>, <c>mlops.pipeline.id</c> and <c>mlops.model.name</c>.</summary>
/// <param name="RunId">The run's opaque id.</param>
/// <param name="PipelineId">The pipeline's id.</param>
/// <param name="ModelName">The registered model's name.</param>
public readonly record struct OperationSubject(string? RunId = null, string? PipelineId = null, string? ModelName = null)
{
}
