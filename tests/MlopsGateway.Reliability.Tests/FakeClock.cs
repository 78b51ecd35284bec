using Microsoft.Extensions.Time.Testing;

using MlopsGateway.Testing;

namespace MlopsGateway.Reliability.Tests;

/// <summary>
/// <see cref="FakeTimeProvider"/> (Microsoft.Extensions.TimeProvider.Testing) — time moves only when a test advances
/// it — that also reports which timers are armed, so a test can wait until the code under test has started
/// waiting (a retry backoff, a flush interval) before advancing, instead of guessing. Starts at 2026-01-01T00:00Z.
/// </summary>
internal sealed class FakeClock : FakeTimeProvider
{
    private readonly List<ArmedTimer> _timers = [];

    /// <summary>Creates the clock at <paramref name="start"/> (default 2026-01-01T00:00Z).</summary>
    /// <param name="start">The starting time.</param>
    public FakeClock(DateTimeOffset? start = null)
        : base(start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>How far in the future each armed timer is due.</summary>
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

    /// <summary>Waits (polling, with a deadline) until a timer due in exactly <paramref name="delay"/> is armed.</summary>
    /// <param name="delay">The delay the code under test is expected to wait.</param>
    /// <param name="because">What the wait is, for the failure message.</param>
    public Task WhenDelayPendingAsync(TimeSpan delay, string because)
        => Eventually.TrueAsync(() => PendingDelays.Contains(delay), because);

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var armed = new ArmedTimer(this);
        armed.Inner = base.CreateTimer(s => { armed.Fired(); callback(s); }, state, dueTime, period);
        armed.Arm(dueTime, period);
        lock (_timers)
        {
            _timers.Add(armed);
        }
        return armed;
    }

    private sealed class ArmedTimer(FakeClock clock) : ITimer
    {
        private TimeSpan _period;

        public ITimer Inner { get; set; } = null!;
        public DateTimeOffset? DueAt { get; private set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._timers)
            {
                _period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime;
            }
        }

        public void Fired()
        {
            lock (clock._timers)
            {
                DueAt = _period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan ? clock.GetUtcNow() + _period : null;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (clock._timers)
            {
                DueAt = null;
                clock._timers.Remove(this);
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
