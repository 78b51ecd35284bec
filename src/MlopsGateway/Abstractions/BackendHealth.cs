namespace MlopsGateway;

/// <summary>The outcome of <see cref="IMlopsBackend.CheckHealthAsync"/>.</summary>
/// <param name="IsHealthy">Whether the server answered its health or version probe successfully.</param>
/// <param name="Description">A human-readable explanation, without secrets.</param>
/// <param name="ServerVersion">The server version the probe learned, when the platform reports one.</param>
/// <param name="Data">Per-component detail (a composite reports one entry per routed backend).</param>
public sealed record BackendHealth(
    bool IsHealthy,
    string Description,
    string? ServerVersion = null,
    IReadOnlyDictionary<string, object>? Data = null)
{
    /// <summary>A healthy result.</summary>
    /// <param name="description">What was checked.</param>
    /// <param name="serverVersion">The server version, when known.</param>
    public static BackendHealth Healthy(string description, string? serverVersion = null) => new(true, description, serverVersion);

    /// <summary>An unhealthy result.</summary>
    /// <param name="description">Why the backend is considered unhealthy.</param>
    public static BackendHealth Unhealthy(string description) => new(false, description);
}
