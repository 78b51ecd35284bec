namespace MlopsGateway.Testing;

/// <summary>
/// The workload every metric soak runs: an ActiveRun started through <c>Runs.RunAsync</c> logs
/// <see cref="Metrics"/> values over <see cref="Keys"/> keys with <c>LogMetricAsync</c> (value = index, so any
/// stored point can be checked), through a buffer of <see cref="BufferCapacity"/> values, noting the most it ever held.
/// </summary>
public static class MetricSoak
{
    /// <summary>How many values are logged.</summary>
    public const int Metrics = 100_000;

    /// <summary>How many metric keys they are spread over (value <c>i</c> is key <c>m{i % Keys}</c>, step <c>i / Keys</c>).</summary>
    public const int Keys = 10;

    /// <summary>The run's buffer: a twentieth of the values, so it must drain and refill many times.</summary>
    public const int BufferCapacity = 5_000;

    /// <summary>The key of value <paramref name="index"/>.</summary>
    /// <param name="index">The value's index.</param>
    public static string Key(int index) => $"m{index % Keys}";

    /// <summary>The step of value <paramref name="index"/>.</summary>
    /// <param name="index">The value's index.</param>
    public static long Step(int index) => index / Keys;

    /// <summary>Runs the workload on <paramref name="runs"/>, bounded (not timed) by a 90-second deadline so a hang fails the run.</summary>
    /// <param name="runs">The backend's run client.</param>
    /// <param name="experiment">The experiment to log into.</param>
    /// <returns>The ended run, its id, and the most values its buffer held at once.</returns>
    public static async Task<(Run Ended, string RunId, int PeakPending)> RunAsync(IRunClient runs, string experiment)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var peakPending = 0;
        string? runId = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ended = await runs.RunAsync(experiment, new RunStartOptions { Name = "soak", BufferCapacity = BufferCapacity }, async (run, ct) =>
        {
            runId = run.Id;
            for (var i = 0; i < Metrics; i++)
            {
                await run.LogMetricAsync(Key(i), i, step: Step(i), cancellationToken: ct);
                peakPending = Math.Max(peakPending, run.PendingCount);
            }
        }, deadline.Token).ConfigureAwait(false);
        return (ended, runId!, peakPending);
    }
}
