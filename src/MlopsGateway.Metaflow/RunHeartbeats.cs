using MlopsGateway.Metaflow.Api;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MlopsGateway.Metaflow;

/// <summary>
/// Keeps the runs the gateway registered alive: the service (and Metaflow's UI) reads a run without an
/// end result as failed once its heartbeat is 360 s old, so a registered run beats every 10 s (the
/// service's <c>wait_time_in_seconds</c>) on the backend's clock until it is ended.
/// </summary>
internal sealed partial class RunHeartbeats(MetaflowBackend backend)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ITimer> _timers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = backend.Context.LoggerFactory.CreateLogger("MlopsGateway.Metaflow.Heartbeats");

    public int Active => _timers.Count;

    public void Start(MetaflowRunRef run)
    {
        var key = run.ToString();
        var timer = backend.Context.TimeProvider.CreateTimer(_ => _ = BeatAsync(run), null, Interval, Interval);
        if (!_timers.TryAdd(key, timer))
        {
            timer.Dispose();
        }
    }

    public void Stop(MetaflowRunRef run)
    {
        if (_timers.TryRemove(run.ToString(), out var timer))
        {
            timer.Dispose();
        }
    }

    private async Task BeatAsync(MetaflowRunRef run)
    {
        try
        {
            await backend.Api.HeartbeatRunAsync(run, CancellationToken.None).ConfigureAwait(false);
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
