namespace MlopsGateway;

/// <summary>Resolves configured backends by name; each is created once (thread-safe singleton) and instrumented.</summary>
public interface IMlopsBackendProvider
{
    /// <summary>The configured backend names.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>The default backend: a composite when <c>Routing</c> is configured, else <c>DefaultBackend</c> (or the only backend).</summary>
    IMlopsBackend Default { get; }

    /// <summary>The backend named <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">The configured name.</param>
    /// <exception cref="KeyNotFoundException">No backend has that name; the message lists the configured names.</exception>
    IMlopsBackend Get(string name);
}
