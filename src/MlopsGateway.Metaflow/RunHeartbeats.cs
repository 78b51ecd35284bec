using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MlopsGateway.Metaflow.Api;

namespace MlopsGateway.Metaflow;

/// <summary>
/// Keeps the runs the gateway registered alive: the service (and Metaflow's UI) reads a run without an
/// end result as failed once its heartbeat is 360 s old, so a registered run beats every 10 s (the
/// service's <c>wait_time_in_seconds</c>) on the backend's clock until it is ended. Beats run in the
/// background; disposing stops the timers, cancels the beats in flight and waits for them, so no request
/// outlives the backend (the HTTP pipeline's own disposal would otherwise wait for it on the injected clock).
/// </summary>
internal sealed partial class RunHeartbeats(MetaflowBackend backend) : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ITimer> _timers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    // Never disposed: it has no timer or wait handle, and a timer callback racing with DisposeAsync may still read its token.
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger = backend.Context.LoggerFactory.CreateLogger("MlopsGateway.Metaflow.Heartbeats");

    public int Active => _timers.Count;

    /// <summary>Beats in flight right now (tests wait for them to settle).</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>
    /// Whether a beat was recorded: the service answers one that updated nothing — under 10 s after the last, or of a
    /// missing run or task — with 404.
    /// </summary>
    public static async Task<bool> UpdatedAsync(Task<string> beat)
    {
        try
        {
            await beat.ConfigureAwait(false);
            return true;
        }
        catch (MlopsNotFoundException)
        {
            return false;
        }
    }

    public void Start(MetaflowRunRef run)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        var timer = backend.Context.TimeProvider.CreateTimer(_ => Beat(run), null, Interval, Interval);
        if (!_timers.TryAdd(run.ToString(), timer))
        {
            timer.Dispose();
        }
        if (_stopping.IsCancellationRequested)
        {
            Stop(run); // disposed meanwhile
        }
    }

    public void Stop(MetaflowRunRef run)
    {
        if (_timers.TryRemove(run.ToString(), out var timer))
        {
            timer.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var key in _timers.Keys)
        {
            if (_timers.TryRemove(key, out var timer))
            {
                timer.Dispose();
            }
        }
        // A beat never throws (BeatAsync logs its failures), so this only waits.
        await Task.WhenAll(_inFlight.Keys).ConfigureAwait(false);
    }

    private void Beat(MetaflowRunRef run)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        var beat = BeatAsync(run, _stopping.Token);
        _inFlight.TryAdd(beat, 0);
        // Registered after the add, so a beat that already finished is removed right here.
        _ = beat.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _), _inFlight,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task BeatAsync(MetaflowRunRef run, CancellationToken ct)
    {
        try
        {
            await backend.RunsApi.HeartbeatRunAsync(run.Flow, run.Run, EmptyBody.Instance, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The backend is being disposed.
        }
        catch (MlopsException ex)
        {
            // A missed beat is not fatal: the run only reads failed after 360 s without one.
            LogBeatFailed(_logger, run.ToString(), ex.Message);
        }
        catch (ObjectDisposedException)
        {
            // The application's services are gone (its HTTP client factory was disposed): nobody can end the run any more.
            Stop(run);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of Metaflow run {Run} failed: {Reason}")]
    private static partial void LogBeatFailed(ILogger logger, string run, string reason);
}
