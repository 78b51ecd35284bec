using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace MlopsGateway;

/// <summary>
/// A started run with a non-blocking logging buffer — the .NET counterpart of <c>mlflow.start_run()</c>.
/// <c>Log*</c> calls never touch the network: values go to a bounded buffer flushed in the backend's
/// largest batches, on an interval, whenever a full batch is ready and on <see cref="FlushAsync"/>.
/// Params and tags travel one ordered lane (the last write of a tag wins); metrics go in parallel batches.
/// A failed flush is kept and rethrown from the next <c>Log*</c>, <see cref="FlushAsync"/> or
/// <see cref="DisposeAsync"/>, and the run then ends Failed. Dispose it: after <see cref="Complete"/> the
/// run ends Succeeded, otherwise Failed (C# gives <c>DisposeAsync</c> no exception, as with TransactionScope).
/// Thread-safe.
/// </summary>
public sealed class ActiveRun : IAsyncDisposable
{
    private readonly IRunClient _runs;
    private readonly BackendLimits _limits;
    private readonly TimeProvider _time;
    private readonly RunStartOptions _options;
    private readonly ConcurrentQueue<LaneEntry> _lane = new();
    private readonly ConcurrentQueue<MetricPoint> _metrics = new();
    private readonly SemaphoreSlim _space;
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _failed = new();
    private TaskCompletionSource _wake = NewSignal();
    private readonly int _parallelBatches;
    private readonly Task _backgroundFlusher;
    private int _metricCount;
    private int _drainRequested;
    private volatile ExceptionDispatchInfo? _failure;
    private volatile bool _completed;
    private int _disposed;
    private volatile MlopsOperations _operations;
    private volatile RunLifetimeSpan? _lifetime;
    private readonly ActivityContext _startedUnder;

    private ActiveRun(IRunClient runs, Run run, RunStartOptions options, BackendLimits limits, TimeProvider time)
    {
        _runs = runs;
        Run = run;
        _options = options;
        _limits = limits;
        _time = time;
        // Replaced by the instrumented backend's (server, kind, the run's span) when the run is started through it.
        _operations = new MlopsOperations(run.Backend, OperationScope.Current?.Kind ?? string.Empty, server: null, time);
        _startedUnder = Activity.Current?.Context ?? default;
        _space = new SemaphoreSlim(options.BufferCapacity, options.BufferCapacity);
        _parallelBatches = Math.Max(1, options.MaxParallelBatches ?? limits.DefaultParallelBatches);
        _backgroundFlusher = Task.Run(BackgroundFlushLoopAsync);
    }

    /// <summary>The run as created (Running).</summary>
    public Run Run { get; }

    /// <summary>The run id.</summary>
    public string Id => Run.Id;

    /// <summary>The run as the backend returned it after it was ended; null until disposed.</summary>
    public Run? FinalRun { get; private set; }

    /// <summary>Values buffered and not yet sent.</summary>
    public int PendingCount => Volatile.Read(ref _metricCount) + _lane.Count;

    /// <summary>
    /// Gets or creates <paramref name="experimentName"/>, creates a run in it and starts its buffer. Backends
    /// call this from <see cref="IRunClient.StartAsync"/>, passing themselves as <paramref name="runs"/>.
    /// </summary>
    /// <param name="runs">The backend's run client (the primitives the buffer calls).</param>
    /// <param name="experimentName">The experiment; created when missing, re-read on a creation race; soft-deleted is a conflict.</param>
    /// <param name="options">Run and buffer settings.</param>
    /// <param name="limits">The backend's batch limits.</param>
    /// <param name="timeProvider">The clock for interval flushing.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    public static async Task<ActiveRun> StartAsync(IRunClient runs, string experimentName, RunStartOptions? options,
        BackendLimits limits, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        MlopsGuard.NotBlank(experimentName);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new RunStartOptions();
        if (options.BufferCapacity < 1)
        {
            throw new MlopsValidationException($"RunStartOptions.BufferCapacity must be at least 1 (got {options.BufferCapacity}).");
        }
        if (options.MaxParallelBatches is < 1)
        {
            throw new MlopsValidationException($"RunStartOptions.MaxParallelBatches must be at least 1 (got {options.MaxParallelBatches}).");
        }

        var experiment = await GetOrCreateExperimentAsync(runs, experimentName, cancellationToken).ConfigureAwait(false);
        var run = await runs.CreateRunAsync(experiment.Id, options, cancellationToken).ConfigureAwait(false);
        return new ActiveRun(runs, run, options, limits, timeProvider);
    }

    private static async Task<Experiment> GetOrCreateExperimentAsync(IRunClient runs, string name, CancellationToken ct)
    {
        try
        {
            return EnsureActive(await runs.GetExperimentByNameAsync(name, ct).ConfigureAwait(false));
        }
        catch (MlopsNotFoundException)
        {
        }
        try
        {
            return await runs.CreateExperimentAsync(name, null, ct).ConfigureAwait(false);
        }
        catch (MlopsConflictException)
        {
            // Another writer created it between our read and create, or it exists soft-deleted: re-read decides.
            try
            {
                return EnsureActive(await runs.GetExperimentByNameAsync(name, ct).ConfigureAwait(false));
            }
            catch (MlopsNotFoundException)
            {
                throw new MlopsConflictException(
                    $"Experiment '{name}' cannot be created: the name is taken (it may be soft-deleted). Restore it or choose another name.");
            }
        }
    }

    private static Experiment EnsureActive(Experiment experiment) => experiment.State == LifecycleState.Active
        ? experiment
        : throw new MlopsConflictException(
            $"Experiment '{experiment.Name}' ({experiment.Id}) is deleted; restore it with RestoreExperimentAsync or use another name. It is never restored automatically.",
            new MlopsErrorDetails { Backend = experiment.Backend });

    /// <summary>Buffers a param; the value is formatted by <see cref="ParamFormatter"/>. Throws <see cref="MlopsBufferFullException"/> when the buffer is full.</summary>
    /// <param name="key">The param name.</param>
    /// <param name="value">The value (strings verbatim, numbers invariant, others compact JSON).</param>
    public void LogParam(string key, object? value)
    {
        try
        {
            var entry = LaneEntry.Param(key, value, _limits);
            ReserveNow();
            _lane.Enqueue(entry);
        }
        catch (MlopsException ex) when (NameRefusal(ex))
        {
        }
    }

    /// <summary>Buffers a param, waiting for room when the buffer is full.</summary>
    /// <param name="key">The param name.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels waiting for room.</param>
    public async ValueTask LogParamAsync(string key, object? value, CancellationToken cancellationToken = default)
    {
        try
        {
            var entry = LaneEntry.Param(key, value, _limits);
            await ReserveAsync(cancellationToken).ConfigureAwait(false);
            _lane.Enqueue(entry);
        }
        catch (MlopsException ex) when (NameRefusal(ex))
        {
        }
    }

    /// <summary>Buffers a tag write; a later write of the same key wins. Throws <see cref="MlopsBufferFullException"/> when the buffer is full.</summary>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    public void SetTag(string key, string value)
    {
        try
        {
            var entry = LaneEntry.Tag(key, value, _limits);
            ReserveNow();
            _lane.Enqueue(entry);
        }
        catch (MlopsException ex) when (NameRefusal(ex))
        {
        }
    }

    /// <summary>Buffers a tag write, waiting for room when the buffer is full.</summary>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    /// <param name="cancellationToken">Cancels waiting for room.</param>
    public async ValueTask SetTagAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        try
        {
            var entry = LaneEntry.Tag(key, value, _limits);
            await ReserveAsync(cancellationToken).ConfigureAwait(false);
            _lane.Enqueue(entry);
        }
        catch (MlopsException ex) when (NameRefusal(ex))
        {
        }
    }

    /// <summary>Buffers a metric value. Throws <see cref="MlopsBufferFullException"/> when the buffer is full.</summary>
    /// <param name="key">The metric name.</param>
    /// <param name="value">The value (NaN and ±Infinity allowed).</param>
    /// <param name="step">The training step.</param>
    /// <param name="timestamp">When measured; now when null.</param>
    public void LogMetric(string key, double value, long step = 0, DateTimeOffset? timestamp = null)
    {
        try
        {
            LimitChecks.Key("metric", key, _limits);
            ReserveNow();
            EnqueueMetric(key, value, step, timestamp);
        }
        catch (MlopsException ex) when (NameRefusal(ex))
        {
        }
    }

    /// <summary>Buffers a metric value, waiting for room when the buffer is full.</summary>
    /// <param name="key">The metric name.</param>
    /// <param name="value">The value.</param>
    /// <param name="step">The training step.</param>
    /// <param name="timestamp">When measured; now when null.</param>
    /// <param name="cancellationToken">Cancels waiting for room.</param>
    public async ValueTask LogMetricAsync(string key, double value, long step = 0, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default)
    {
        try
        {
            LimitChecks.Key("metric", key, _limits);
            await ReserveAsync(cancellationToken).ConfigureAwait(false);
            EnqueueMetric(key, value, step, timestamp);
        }
        catch (MlopsException ex) when (NameRefusal(ex))
        {
        }
    }

    /// <summary>Makes the run's own spans (flushes, end) those of the instrumented backend, inside the run's <c>Runs.Run</c> span.</summary>
    internal void AttachTelemetry(MlopsOperations operations, RunLifetimeSpan lifetime)
    {
        _operations = operations;
        lifetime.Started(Id);
        _lifetime = lifetime;
    }

    /// <summary>Records why the work failed (the body of <see cref="IRunClient.RunAsync"/> threw) on the run's span.</summary>
    internal void RecordFailure(Exception exception) => _lifetime?.RecordFailure(exception);

    /// <summary>Marks the work successful: the run ends Succeeded when disposed (unless a flush failed).</summary>
    public void Complete() => _completed = true;

    /// <summary>Sends everything buffered so far and waits for it; rethrows a failed flush.</summary>
    /// <param name="cancellationToken">Cancels waiting (sent batches are not recalled).</param>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfFailed();
        // The caller's token only stops the wait: a batch taken from the buffer is always sent, never dropped.
        await FlushCoreAsync(drainAll: true, parent: default).WaitAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfFailed();
    }

    /// <summary>Flushes, then ends the run Succeeded (after <see cref="Complete"/>) or Failed; rethrows a failed flush after ending the run.</summary>
    public ValueTask DisposeAsync()
    {
        // Not async up to here on purpose: the caller's flow gets back the span it had before the run started.
        _lifetime?.LeaveCaller();
        return DisposeCoreAsync();
    }

    private async ValueTask DisposeCoreAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        var lifetime = _lifetime;
        var inRun = lifetime?.Context ?? default;
        var status = RunStatus.Failed;
        try
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _backgroundFlusher.ConfigureAwait(false);
            if (_failure is null)
            {
                await FlushCoreAsync(drainAll: true, parent: inRun).ConfigureAwait(false);
            }

            status = _completed && _failure is null ? RunStatus.Succeeded : RunStatus.Failed;
            FinalRun = await _operations.InvokeAsync("Runs.End", RunTag, () => _runs.EndAsync(Run, status, CancellationToken.None), parent: inRun)
                .ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            lifetime?.RecordFailure(ex);
            throw;
        }
        finally
        {
            if (_failure is { } flushFailure)
            {
                lifetime?.RecordFailure(flushFailure.SourceException);
            }
            lifetime?.End(FinalRun?.Status ?? status);
        }
        _stop.Dispose();
        _failed.Dispose();
        ThrowIfFailed();
    }

    private OperationSubject RunTag => new(RunId: Run.Id);

    /// <summary>
    /// An exception filter that never catches: it names the backend and the operation a refused value was meant
    /// for (<c>Runs.LogBatch</c>) on the exception, which a <c>Log*</c> call raises outside any operation span.
    /// </summary>
    private bool NameRefusal(MlopsException exception)
    {
        exception.AddContext(Run.Backend, "Runs.LogBatch");
        return false;
    }

    private void EnqueueMetric(string key, double value, long step, DateTimeOffset? timestamp)
    {
        _metrics.Enqueue(new MetricPoint(key, value, timestamp ?? _time.GetUtcNow(), step));
        MlopsTelemetry.AddBuffered(1);
        if (Interlocked.Increment(ref _metricCount) % _limits.MaxMetricsPerBatch == 0)
        {
            _wake.TrySetResult();
        }
    }

    private void ReserveNow()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ThrowIfFailed();
        if (!_space.Wait(0, CancellationToken.None))
        {
            throw new MlopsBufferFullException(
                $"The logging buffer of run '{Run.Id}' is full ({_options.BufferCapacity} values). Use the Log*Async overloads to wait for room, or raise RunStartOptions.BufferCapacity.");
        }
    }

    private async ValueTask ReserveAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ThrowIfFailed();
        if (_space.Wait(0, CancellationToken.None))
        {
            return;
        }
        // A writer waiting for room needs a partial batch sent, not just full ones.
        Interlocked.Exchange(ref _drainRequested, 1);
        _wake.TrySetResult();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _failed.Token);
        try
        {
            await _space.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_failed.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            ThrowIfFailed();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void ThrowIfFailed() => _failure?.Throw();

    private async Task BackgroundFlushLoopAsync()
    {
        var interval = _options.FlushInterval;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var woken = _wake.Task.WaitAsync(_stop.Token);
                var tick = interval > TimeSpan.Zero ? Task.Delay(interval, _time, _stop.Token) : Task.Delay(Timeout.Infinite, _stop.Token);
                var first = await Task.WhenAny(woken, tick).ConfigureAwait(false);
                await first.ConfigureAwait(false);
                if (first == woken)
                {
                    Interlocked.Exchange(ref _wake, NewSignal());
                }
                var drain = Interlocked.Exchange(ref _drainRequested, 0) == 1 || first == tick;
                // Stopping only interrupts the wait: a batch already taken from the buffer is always sent.
                // A background flush belongs to the run: inside its Runs.Run span, whatever the caller is doing meanwhile.
                await FlushCoreAsync(drainAll: drain, parent: _lifetime is { Context: var run } && run != default ? run : _startedUnder).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (_failure is not null)
            {
                return;
            }
        }
    }

    /// <summary>Sends what is buffered in one <c>Runs.Flush</c> span under <paramref name="parent"/> (default: the caller's current span).</summary>
    private async Task FlushCoreAsync(bool drainAll, ActivityContext parent)
    {
        if (_lane.IsEmpty && Volatile.Read(ref _metricCount) == 0)
        {
            return;
        }
        await _flushLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var full = _limits.MaxMetricsPerBatch;
            if (!drainAll && _lane.IsEmpty && Volatile.Read(ref _metricCount) < full)
            {
                return;
            }
            using var scope = _operations.Start("Runs.Flush", RunTag, parent);
            try
            {
                await FlushLaneAsync().ConfigureAwait(false);
                await FlushMetricsAsync(drainAll).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                scope.Fail(ex);
                MlopsTelemetry.FlushFailures.Add(1, new KeyValuePair<string, object?>(MlopsTelemetry.BackendNameAttribute, Run.Backend));
                _failure ??= ExceptionDispatchInfo.Capture(ex);
                await _failed.CancelAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _flushLock.Release();
        }
    }

    private async Task FlushLaneAsync()
    {
        var count = _lane.Count;
        if (count == 0)
        {
            return;
        }
        var parameters = new List<KeyValuePair<string, string>>();
        var tags = new List<KeyValuePair<string, string>>();
        var paramKeys = new HashSet<string>(StringComparer.Ordinal);
        var tagKeys = new HashSet<string>(StringComparer.Ordinal);
        var taken = 0;

        async Task SendAsync()
        {
            if (parameters.Count + tags.Count == 0)
            {
                return;
            }
            await _runs.LogBatchAsync(Run, new RunLogBatch { Params = parameters.ToArray(), Tags = tags.ToArray() }, CancellationToken.None).ConfigureAwait(false);
            _space.Release(taken);
            taken = 0;
            parameters.Clear();
            tags.Clear();
            paramKeys.Clear();
            tagKeys.Clear();
        }

        for (var i = 0; i < count && _lane.TryPeek(out var entry); i++)
        {
            var (list, keys, max) = entry.IsTag ? (tags, tagKeys, _limits.MaxTagsPerBatch) : (parameters, paramKeys, _limits.MaxParamsPerBatch);
            // A repeated key starts a new request, so order across requests gives last-write-wins.
            if (keys.Contains(entry.Key) || list.Count >= max || parameters.Count + tags.Count >= _limits.MaxEntitiesPerBatch)
            {
                await SendAsync().ConfigureAwait(false);
            }
            _lane.TryDequeue(out _);
            list.Add(new KeyValuePair<string, string>(entry.Key, entry.Value));
            keys.Add(entry.Key);
            taken++;
        }
        await SendAsync().ConfigureAwait(false);
    }

    private async Task FlushMetricsAsync(bool drainAll)
    {
        var batchSize = Math.Min(_limits.MaxMetricsPerBatch, _limits.MaxEntitiesPerBatch);
        var inFlight = new List<Task>();
        try
        {
            while (true)
            {
                var available = Volatile.Read(ref _metricCount);
                if (available == 0 || (!drainAll && available < batchSize))
                {
                    break;
                }
                var batch = new List<MetricPoint>(Math.Min(available, batchSize));
                while (batch.Count < batchSize && _metrics.TryDequeue(out var point))
                {
                    batch.Add(point);
                }
                Interlocked.Add(ref _metricCount, -batch.Count);
                inFlight.Add(SendMetricsAsync(batch));
                if (inFlight.Count >= _parallelBatches)
                {
                    var done = await Task.WhenAny(inFlight).ConfigureAwait(false);
                    inFlight.Remove(done);
                    await done.ConfigureAwait(false);
                }
            }
        }
        finally
        {
            // Never leave sends running unobserved: wait for every batch already handed to the backend.
            await Task.WhenAll(inFlight).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private async Task SendMetricsAsync(List<MetricPoint> batch)
    {
        try
        {
            await _runs.LogBatchAsync(Run, new RunLogBatch { Metrics = batch }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            MlopsTelemetry.AddBuffered(-batch.Count);
            _space.Release(batch.Count);
        }
    }

    private readonly record struct LaneEntry(bool IsTag, string Key, string Value)
    {
        public static LaneEntry Param(string key, object? value, BackendLimits limits)
        {
            var text = ParamFormatter.Format(value);
            LimitChecks.Key("param", key, limits);
            LimitChecks.Value($"param '{key}' value", text, limits.MaxParamValueLength);
            return new LaneEntry(false, key, text);
        }

        public static LaneEntry Tag(string key, string value, BackendLimits limits)
        {
            LimitChecks.Key("tag", key, limits);
            LimitChecks.Value($"tag '{key}' value", value, limits.MaxTagValueLength);
            return new LaneEntry(true, key, value);
        }
    }
}
