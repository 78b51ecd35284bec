namespace MlopsGateway;

/// <summary>
/// Polls a run until it is terminal with exponential backoff, on an injected <see cref="TimeProvider"/>
/// so tests drive time instead of sleeping. Backends call it from <see cref="IRunClient.WaitForCompletionAsync"/>.
/// </summary>
public static class RunWaiter
{
    /// <summary>Polls <paramref name="poll"/> until the run is terminal, the timeout passes, or the token is cancelled.</summary>
    /// <param name="poll">Reads the run's current state.</param>
    /// <param name="timeProvider">The clock for delays and the timeout.</param>
    /// <param name="options">Intervals and timeout; defaults when null.</param>
    /// <param name="progress">Receives every polled snapshot.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <exception cref="TimeoutException">The run was not terminal when <see cref="WaitOptions.Timeout"/> passed.</exception>
    public static async Task<Run> WaitAsync(
        Func<CancellationToken, Task<Run>> poll,
        TimeProvider timeProvider,
        WaitOptions? options = null,
        IProgress<Run>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(poll);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new WaitOptions();
        if (options.InitialPollInterval <= TimeSpan.Zero || options.MaxPollInterval < options.InitialPollInterval)
        {
            throw new MlopsValidationException(
                $"WaitOptions: InitialPollInterval must be positive and not above MaxPollInterval (got {options.InitialPollInterval} and {options.MaxPollInterval}).");
        }

        var started = timeProvider.GetTimestamp();
        var delay = options.InitialPollInterval;
        while (true)
        {
            var run = await poll(cancellationToken).ConfigureAwait(false);
            progress?.Report(run);
            if (run.IsTerminal)
            {
                return run;
            }

            var wait = delay;
            if (options.Timeout is { } timeout)
            {
                var remaining = timeout - timeProvider.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    throw new TimeoutException(
                        $"Run '{run.Id}' on backend '{run.Backend}' was still {run.Status} (raw '{run.RawStatus}') after {timeout}.");
                }
                wait = wait < remaining ? wait : remaining;
            }

            await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxPollInterval.Ticks));
        }
    }
}
