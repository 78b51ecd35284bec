using System.Diagnostics.CodeAnalysis;

namespace MlopsGateway;

/// <summary>
/// Identifies a run for run-scoped calls: its opaque <see cref="Id"/> plus, when known, the
/// <see cref="Backend"/> of record, so a composite sends the call to the backend that owns the run.
/// A <see cref="Run"/> converts implicitly (carrying its backend); a bare string converts to a
/// reference without a backend.
/// </summary>
/// <remarks>
/// <para>
/// The text form, written by <see cref="ToString"/> and read back by <see cref="Parse"/> and
/// <see cref="TryParse(string?, out RunRef)"/>, is meant for storing a reference (a database column, a
/// command-line argument) and turning it back into one that routes to the same backend:
/// </para>
/// <list type="bullet">
/// <item><c>backend:id</c> — a reference with a backend. The text is split at the <em>first</em> <c>:</c>:
/// backend names are configuration keys and never contain one, so the id may contain <c>:</c> and
/// <c>/</c> (<c>orchestrator:train/manual__2024-01-01T00%3A00%3A00%2B00%3A00</c>, <c>metaflow:Flow/123</c>).</item>
/// <item><c>id</c> — a reference without a backend whose id has no <c>:</c>.</item>
/// <item><c>:id</c> — a reference without a backend whose id contains <c>:</c>; the empty backend part
/// keeps it from being read as <c>backend:id</c>.</item>
/// </list>
/// <para>Every reference with a non-blank id and either no backend or a non-blank backend name without <c>:</c> round-trips.</para>
/// <para>
/// It is a class so that an optional reference composes like any other nullable reference:
/// <c>Run = cond ? new RunRef(id) : null</c> and <c>Run = maybeRun</c> (a <see cref="Run"/>? converts to
/// <see cref="RunRef"/>?) compile without casts.
/// </para>
/// </remarks>
/// <param name="Id">The opaque, round-trippable run id (for example <c>dagId/dagRunId</c> or <c>Flow/123</c>).</param>
/// <param name="Backend">The configured name of the backend that owns the run, when known.</param>
public sealed record RunRef(string Id, string? Backend = null)
{
    private const char Separator = ':';

    /// <summary>The opaque, round-trippable run id (for example <c>dagId/dagRunId</c> or <c>Flow/123</c>).</summary>
    public string Id { get; init; } = Id ?? throw new ArgumentNullException(nameof(Id));

    /// <summary>A reference to <paramref name="run"/> that keeps its backend of record; null for a null run.</summary>
    /// <param name="run">The run to reference.</param>
    [return: NotNullIfNotNull(nameof(run))]
    public static implicit operator RunRef?(Run? run) => run is null ? null : new RunRef(run.Id, run.Backend);

    /// <summary>
    /// A reference to a run id whose backend is not known; null for a null string. The id is taken as it
    /// is, never parsed: use <see cref="Parse"/> for the text form.
    /// </summary>
    /// <param name="id">The opaque run id.</param>
    [return: NotNullIfNotNull(nameof(id))]
    public static implicit operator RunRef?(string? id) => id is null ? null : new RunRef(id);

    /// <summary>Reads the text form written by <see cref="ToString"/> (see the remarks on <see cref="RunRef"/>).</summary>
    /// <param name="text"><c>backend:id</c>, a bare id without <c>:</c>, or <c>:id</c>.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="MlopsValidationException"><paramref name="text"/> has an empty id or a blank backend name.</exception>
    public static RunRef Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryRead(text, out var result, out var problem) ? result : throw new MlopsValidationException(problem);
    }

    /// <summary>Reads the text form written by <see cref="ToString"/>; false (never an exception) when <paramref name="text"/> is null or malformed.</summary>
    /// <param name="text"><c>backend:id</c>, a bare id without <c>:</c>, or <c>:id</c>.</param>
    /// <param name="result">The reference, or null when the text is not one.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out RunRef? result)
        => TryRead(text, out result, out _);

    /// <summary>The text form: <c>backend:id</c>, the bare id, or <c>:id</c> for a bare id that contains <c>:</c>; <see cref="Parse"/> reads it back.</summary>
    public override string ToString()
        => Backend is not null ? $"{Backend}{Separator}{Id}"
            : Id.Contains(Separator, StringComparison.Ordinal) ? $"{Separator}{Id}"
            : Id;

    private static bool TryRead([NotNullWhen(true)] string? text, [NotNullWhen(true)] out RunRef? result, out string problem)
    {
        result = null;
        if (text is null)
        {
            problem = "A run reference is required.";
            return false;
        }
        var separator = text.IndexOf(Separator, StringComparison.Ordinal);
        var backend = separator < 0 ? "" : text[..separator];
        var id = separator < 0 ? text : text[(separator + 1)..];
        if (string.IsNullOrWhiteSpace(id))
        {
            problem = $"'{text}' is not a run reference: the run id is empty. Expected 'backend:id', an id without ':', or ':id' for an id that contains ':'.";
            return false;
        }
        if (backend.Length > 0 && string.IsNullOrWhiteSpace(backend))
        {
            problem = $"'{text}' is not a run reference: the backend name before the first ':' is blank. Expected 'backend:id', or ':id' for an id without a backend.";
            return false;
        }
        result = new RunRef(id, backend.Length == 0 ? null : backend);
        problem = "";
        return true;
    }
}
