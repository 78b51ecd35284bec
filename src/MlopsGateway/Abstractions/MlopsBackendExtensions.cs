namespace MlopsGateway;

/// <summary>Typed conveniences over <see cref="IMlopsBackend"/>.</summary>
public static class MlopsBackendExtensions
{
    /// <summary>Returns the backend-specific service of type <typeparamref name="TService"/>, or <see langword="null"/> when the backend has none.</summary>
    /// <param name="backend">The backend to ask.</param>
    /// <param name="serviceKey">An optional key distinguishing several services of one type.</param>
    public static TService? GetService<TService>(this IMlopsBackend backend, object? serviceKey = null)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(backend);
        return backend.GetService(typeof(TService), serviceKey) as TService;
    }

    /// <summary>Like <see cref="GetService{TService}"/> but throws <see cref="MlopsNotSupportedException"/> naming the backend when the service is absent.</summary>
    /// <param name="backend">The backend to ask.</param>
    /// <param name="serviceKey">An optional key distinguishing several services of one type.</param>
    public static TService GetRequiredService<TService>(this IMlopsBackend backend, object? serviceKey = null)
        where TService : class
        => backend.GetService<TService>(serviceKey)
           ?? throw new MlopsNotSupportedException(backend.Name, $"GetService<{typeof(TService).Name}>",
               $"The {backend.Kind} backend '{backend.Name}' offers no {typeof(TService).Name}.");
}
