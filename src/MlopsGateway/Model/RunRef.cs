namespace MlopsGateway;

/// <summary>
/// Identifies a run for run-scoped calls: its opaque <see cref="Id"/> plus, when known, the
/// <see cref="Backend"/> of record, so a composite sends the call to the backend that owns the run.
/// A <see cref="Run"/> converts implicitly (carrying its backend); a bare string converts to a
/// reference without a backend, which a composite routes like a create.
/// </summary>
/// <param name="Id">The opaque, round-trippable run id (for example <c>dagId/dagRunId</c> or <c>Flow/123</c>).</param>
/// <param name="Backend">The configured name of the backend that owns the run, when known.</param>
public readonly record struct RunRef(string Id, string? Backend = null)
{
    /// <summary>A reference to <paramref name="run"/> that keeps its backend of record.</summary>
    /// <param name="run">The run to reference.</param>
    public static implicit operator RunRef(Run run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunRef(run.Id, run.Backend);
    }

    /// <summary>A reference to a run id whose backend is not known.</summary>
    /// <param name="id">The opaque run id.</param>
    public static implicit operator RunRef(string id) => new(id);

    /// <inheritdoc/>
    public override string ToString() => Backend is null ? Id : $"{Backend}:{Id}";
}
