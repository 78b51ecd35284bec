using System.Collections.ObjectModel;

namespace MlopsGateway;

/// <summary>
/// What a backend supports (natively or emulated by the gateway) and the documented limits the gateway
/// enforces before sending. Immutable; build one with <see cref="Create"/>.
/// </summary>
public sealed class BackendCapabilities
{
    private readonly ReadOnlyDictionary<MlopsCapability, CapabilitySupport> _support;

    private BackendCapabilities(IDictionary<MlopsCapability, CapabilitySupport> support, BackendLimits limits, IReadOnlyList<string> clientSideFilters)
    {
        _support = new ReadOnlyDictionary<MlopsCapability, CapabilitySupport>(new Dictionary<MlopsCapability, CapabilitySupport>(support));
        Limits = limits;
        ClientSideFilters = clientSideFilters;
    }

    /// <summary>None of the capabilities, default limits.</summary>
    public static BackendCapabilities None { get; } = Create(new Dictionary<MlopsCapability, CapabilitySupport>());

    /// <summary>Creates a capability set.</summary>
    /// <param name="support">The support level per capability; absent capabilities are <see cref="CapabilitySupport.None"/>.</param>
    /// <param name="limits">Limits enforced client-side; <see cref="BackendLimits.Default"/> when null.</param>
    /// <param name="clientSideFilters">Query conditions the gateway applies after fetching (documentation for callers).</param>
    public static BackendCapabilities Create(
        IDictionary<MlopsCapability, CapabilitySupport> support,
        BackendLimits? limits = null,
        IReadOnlyList<string>? clientSideFilters = null)
        => new(support, limits ?? BackendLimits.Default, clientSideFilters ?? []);

    /// <summary>Every capability and how it is supported (absent ones are not listed).</summary>
    public IReadOnlyDictionary<MlopsCapability, CapabilitySupport> Support => _support;

    /// <summary>Documented limits (batch sizes, value lengths, page size) checked before sending.</summary>
    public BackendLimits Limits { get; }

    /// <summary>Query conditions this backend cannot express natively and the gateway applies client-side.</summary>
    public IReadOnlyList<string> ClientSideFilters { get; }

    /// <summary>How <paramref name="capability"/> is supported.</summary>
    /// <param name="capability">The capability.</param>
    public CapabilitySupport this[MlopsCapability capability]
        => _support.TryGetValue(capability, out var s) ? s : CapabilitySupport.None;

    /// <summary>Whether <paramref name="capability"/> is available at all (natively or emulated).</summary>
    /// <param name="capability">The capability.</param>
    public bool Supports(MlopsCapability capability) => this[capability] != CapabilitySupport.None;

    /// <summary>A copy with one capability's support changed (used when the server's version refines what is available).</summary>
    /// <param name="capability">The capability.</param>
    /// <param name="support">The new support level.</param>
    public BackendCapabilities With(MlopsCapability capability, CapabilitySupport support)
    {
        var copy = new Dictionary<MlopsCapability, CapabilitySupport>(_support) { [capability] = support };
        return new BackendCapabilities(copy, Limits, ClientSideFilters);
    }
}
