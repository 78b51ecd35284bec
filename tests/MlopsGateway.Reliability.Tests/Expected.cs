namespace MlopsGateway.Reliability.Tests;

/// <summary>What a cell must show: recovery, one exact <see cref="MlopsException"/> type, the caller's cancellation honoured, or nothing (not applicable).</summary>
internal sealed record Expected(string Outcome, Type? Exception = null, string? Reason = null)
{
    public const string RecoveredOutcome = "recovered";
    public const string TypedOutcome = "typed";
    public const string CancelledOutcome = "cancelled";
    public const string NotApplicableOutcome = "n/a";

    public static readonly Expected Recovered = new(RecoveredOutcome);
    public static readonly Expected Cancelled = new(CancelledOutcome);

    public static Expected Throws<T>() where T : MlopsException => new(TypedOutcome, typeof(T));

    public static Expected NotApplicable(string reason) => new(NotApplicableOutcome, Reason: reason);

    public bool Applies => Outcome != NotApplicableOutcome;

    /// <summary>The cell as docs/reliability.md shows it.</summary>
    public string Label => Outcome switch
    {
        RecoveredOutcome => "✓ recovered",
        TypedOutcome => $"`{Exception!.Name}`",
        CancelledOutcome => "caller's cancellation, nothing sent after",
        _ => "—",
    };
}
