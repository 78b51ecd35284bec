namespace MlopsGateway;

/// <summary>Polling settings for <see cref="IRunClient.WaitForCompletionAsync"/>.</summary>
public sealed record WaitOptions
{
    /// <summary>Give up after this long with a <see cref="TimeoutException"/>; <see langword="null"/> waits until cancelled.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The first delay between polls; doubles up to <see cref="MaxPollInterval"/>. Default 1 s.</summary>
    public TimeSpan InitialPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between polls. Default 30 s.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(30);
}
