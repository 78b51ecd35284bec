namespace MlopsGateway;

/// <summary>The <c>Mlops</c> configuration section: named backends, the default, and routing of sub-clients.</summary>
public sealed class MlopsGatewayOptions
{
    /// <summary>The backend the default <see cref="IMlopsBackend"/> (and every sub-client missing from <see cref="Routing"/>) uses. Optional when exactly one backend is configured.</summary>
    public string? DefaultBackend { get; set; }

    /// <summary>Backends by name (case-insensitive). Empty: one Local backend named <c>local</c> at <c>mlops-local.db</c>.</summary>
    public Dictionary<string, BackendOptions> Backends { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When present, the default backend is a composite sending each sub-client to its routed backend.</summary>
    public RoutingOptions? Routing { get; set; }
}

/// <summary>Which configured backend serves each sub-client of the composite default backend.</summary>
public sealed class RoutingOptions
{
    /// <summary>Backend for <see cref="IMlopsBackend.Runs"/> creates, lists and searches.</summary>
    public string? Runs { get; set; }

    /// <summary>Backend for <see cref="IMlopsBackend.Pipelines"/>.</summary>
    public string? Pipelines { get; set; }

    /// <summary>Backend for <see cref="IMlopsBackend.Models"/>.</summary>
    public string? Models { get; set; }
}
