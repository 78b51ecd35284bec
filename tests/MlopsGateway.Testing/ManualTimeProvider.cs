namespace MlopsGateway.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test calls <see cref="Advance"/>; timers
/// (and so <c>Task.Delay(…, timeProvider)</c>) fire when their due time is passed. Thread-safe.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _ticks;

    /// <summary>Creates the clock at <paramref name="start"/> (default 2026-01-01T00:00Z).</summary>
    public ManualTimeProvider(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How many timers are waiting; lets a test poll until code under test has started waiting.</summary>
    public int ActiveTimers { get { lock (_gate) { return _timers.Count(t => t.DueAt is not null); } } }

    /// <summary>How far in the future each waiting timer is due; lets a test wait until a specific delay has been scheduled.</summary>
    public IReadOnlyList<TimeSpan> PendingDelays { get { lock (_gate) { return _timers.Where(t => t.DueAt is not null).Select(t => t.DueAt!.Value - _now).ToArray(); } } }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() { lock (_gate) { return _now; } }

    /// <inheritdoc/>
    public override long GetTimestamp() { lock (_gate) { return _ticks; } }

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward and fires every timer that came due, in due order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate) { target = _now + by; }
        while (true)
        {
            ManualTimer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.DueAt is { } d && d <= target).OrderBy(t => t.DueAt).FirstOrDefault();
                if (due is null)
                {
                    _ticks += (target - _now).Ticks;
                    _now = target;
                    return;
                }
                _ticks += (due.DueAt!.Value - _now).Ticks;
                _now = due.DueAt!.Value;
                due.DueAt = due.Period is { } p && p > TimeSpan.Zero && p != Timeout.InfiniteTimeSpan ? _now + p : null;
            }
            due.Fire();
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate) { _timers.Add(timer); }
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }
        public TimeSpan? Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
            }
            if (dueTime == TimeSpan.Zero)
            {
                owner.Advance(TimeSpan.Zero);
            }
            return true;
        }

        public void Dispose() { lock (owner._gate) { DueAt = null; owner._timers.Remove(this); } }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
