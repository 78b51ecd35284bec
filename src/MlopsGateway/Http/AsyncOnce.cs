namespace MlopsGateway.Http;

/// <summary>
/// Runs an asynchronous probe (a server version, a multi-user flag) once and caches its result for
/// every caller; concurrent first callers share one call; a failed or cancelled probe is not cached.
/// </summary>
/// <typeparam name="T">The probed value.</typeparam>
/// <param name="factory">The probe.</param>
public sealed class AsyncOnce<T>(Func<CancellationToken, Task<T>> factory)
{
    private readonly object _gate = new();
    private Task<T>? _task;

    /// <summary>The cached value, running the probe when it has not succeeded yet.</summary>
    /// <param name="cancellationToken">Cancels this caller's wait (the shared probe runs on without it).</param>
    public Task<T> GetAsync(CancellationToken cancellationToken = default)
    {
        Task<T> task;
        lock (_gate)
        {
            if (_task is null || _task.IsFaulted || _task.IsCanceled)
            {
                _task = factory(CancellationToken.None);
            }
            task = _task;
        }
        return task.WaitAsync(cancellationToken);
    }
}
