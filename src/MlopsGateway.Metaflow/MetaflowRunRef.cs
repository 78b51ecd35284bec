namespace MlopsGateway.Metaflow;

/// <summary>
/// The parts of a gateway run id <c>Flow/run</c>: the flow name and the run's id as Metaflow spells it —
/// a server-assigned number (<c>24</c>) or a scheduler's string id (<c>argo-…</c>). Both round-trip.
/// </summary>
/// <param name="Flow">The flow name (a Python class name, so never containing <c>/</c>).</param>
/// <param name="Run">The run number or string run id.</param>
internal readonly record struct MetaflowRunRef(string Flow, string Run)
{
    /// <summary>Parses <c>Flow/run</c>; anything else is a <see cref="MlopsValidationException"/> before any request.</summary>
    public static MetaflowRunRef Parse(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var slash = runId.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == runId.Length - 1)
        {
            throw new MlopsValidationException(
                $"'{runId}' is not a Metaflow run id: expected 'Flow/run' such as 'TrainFlow/24' or 'TrainFlow/argo-train-abc'.");
        }
        return new MetaflowRunRef(runId[..slash], runId[(slash + 1)..]);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Flow}/{Run}";
}
