namespace MlopsGateway;

/// <summary>
/// An adapter-specific key of a backend's configuration section (it lands in <see cref="BackendOptions.Settings"/>),
/// declared on the adapter's <see cref="BackendTypeRegistration"/> so the configuration reference lists it with
/// its default, generated from the code rather than written by hand.
/// </summary>
/// <param name="Key">The key under <c>Mlops:Backends:{name}</c>, for example <c>ApiVersion</c>.</param>
/// <param name="Description">What it does and which values it takes.</param>
public sealed record BackendSetting(string Key, string Description)
{
    /// <summary>The value used when the key is absent, as written in configuration; null when absence means none or the default is computed (say how in <see cref="Description"/>).</summary>
    public string? Default { get; init; }
}
