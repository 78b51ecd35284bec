namespace MlopsGateway.Testing;

/// <summary>Polls a condition with a deadline instead of sleeping for a fixed time.</summary>
public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> is true; fails the test with <paramref name="because"/> after <paramref name="timeout"/> (default 10 s).</summary>
    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met in time: {because}");
            }
            await Task.Yield();
            await Task.Delay(5);
        }
    }
}
