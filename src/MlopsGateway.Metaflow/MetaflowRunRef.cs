using MlopsGateway.Http;

namespace MlopsGateway.Metaflow;

/// <summary>
/// The parts of a gateway run id <c>Flow/run</c>: the flow name and the run's id as Metaflow spells it —
/// a server-assigned number (<c>24</c>) or a scheduler's string id (<c>argo-…</c>). Both round-trip.
/// </summary>
/// <param name="Flow">The flow name (a Python class name, so never containing <c>/</c>).</param>
/// <param name="Run">The run number or string run id.</param>
internal readonly record struct MetaflowRunRef(string Flow, string Run)
{
    /// <summary>
    /// Parses <c>Flow/run</c>. Anything else names no Metaflow run: <see cref="MlopsNotFoundException"/>
    /// (stamped with the backend and operation), before any request.
    /// </summary>
    public static MetaflowRunRef Parse(string runId, BackendContext context)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var slash = runId.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == runId.Length - 1)
        {
            throw MlopsErrors.Create(MlopsErrorKind.NotFound,
                $"No Metaflow run has the id '{runId}': Metaflow run ids are 'Flow/run' such as 'TrainFlow/24' or 'TrainFlow/argo-train-abc'.", context);
        }
        return new MetaflowRunRef(runId[..slash], runId[(slash + 1)..]);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Flow}/{Run}";
}
