using Microsoft.Extensions.Time.Testing;

namespace MlopsGateway.Testing;

/// <summary>
/// <see cref="FakeTimeProvider"/> (the served manual clock) that also tells which timers wait on it, so a test can
/// poll until the code under test has scheduled a delay before it advances the clock — advancing earlier would
/// leave that delay asleep on a clock nobody moves again. Timing itself is the library's.
/// </summary>
public sealed class WatchedTimeProvider : FakeTimeProvider
{
    private readonly List<WatchedTimer> _timers = [];

    /// <summary>Creates the clock at <paramref name="start"/>.</summary>
    /// <param name="start">The starting instant.</param>
    public WatchedTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>How many timers are waiting (scheduled, not yet fired once-only, not disposed).</summary>
    public int ActiveTimers { get { lock (_timers) { return _timers.Count(t => t.DueAt is not null); } } }

    /// <summary>How far in the future each waiting timer is due.</summary>
    public IReadOnlyList<TimeSpan> PendingDelays
    {
        get
        {
            var now = GetUtcNow();
            lock (_timers)
            {
                return _timers.Where(t => t.DueAt is not null).Select(t => t.DueAt!.Value - now).ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var watched = new WatchedTimer(this);
        lock (_timers)
        {
            _timers.Add(watched);
        }
        watched.Schedule(dueTime, period);
        watched.Inner = base.CreateTimer(s => { watched.Fired(); callback(s); }, state, dueTime, period);
        return watched;
    }

    /// <summary>Wraps the library's timer to note when it is due.</summary>
    private sealed class WatchedTimer(WatchedTimeProvider owner) : ITimer
    {
        private TimeSpan _period;

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset? DueAt { get; private set; }

        public void Schedule(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._timers)
            {
                _period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
            }
        }

        public void Fired()
        {
            lock (owner._timers)
            {
                DueAt = _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan ? owner.GetUtcNow() + _period : null;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Schedule(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._timers)
            {
                DueAt = null;
                owner._timers.Remove(this);
            }
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
