namespace MlopsGateway.Testing;

/// <summary>Polls a condition with a deadline instead of sleeping for a fixed time.</summary>
public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> is true; fails the test with <paramref name="because"/> after <paramref name="timeout"/> (default 10 s).</summary>
    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await ValueAsync(() => Task.FromResult(condition()), met => met, because, timeout);
    }

    /// <summary>
    /// Reads <paramref name="read"/> until <paramref name="done"/> holds and returns that value; fails the test with
    /// <paramref name="because"/> and the last value read after <paramref name="timeout"/> (default 10 s) of real time.
    /// The one polling loop of the test suite: <paramref name="interval"/> (default 5 ms) paces the reads.
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, string because, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not in time: {because}. Last read: {value}");
            }
            await Task.Yield();
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(5));
        }
    }

    /// <summary>
    /// Awaits <paramref name="task"/> for at most <paramref name="timeout"/> (default 30 s) of real time; a task still
    /// running then fails the test with <paramref name="because"/> instead of hanging the test run.
    /// </summary>
    public static async Task CompletesAsync(Task task, string because, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            await task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Did not complete in time: {because}", ex);
        }
    }

    /// <summary>Awaits <paramref name="task"/>'s result for at most <paramref name="timeout"/> (default 30 s) of real time, failing with <paramref name="because"/>.</summary>
    public static async Task<T> CompletesAsync<T>(Task<T> task, string because, TimeSpan? timeout = null)
    {
        await CompletesAsync((Task)task, because, timeout);
        return await task;
    }
}
