namespace MlopsGateway.Cli;

/// <summary>Turns a command-line run argument into a <see cref="RunRef"/> and back.</summary>
internal static class RunReferences
{
    /// <summary>
    /// The reference <paramref name="text"/> denotes, in the core's text form (<see cref="RunRef.Parse"/>):
    /// <c>backend:id</c> as the tool prints it, or a bare id on the selected backend.
    /// </summary>
    /// <param name="text">The argument as typed.</param>
    public static RunRef Parse(string text)
        => RunRef.TryParse(text, out var reference)
            ? reference
            : throw new CliUsageException($"'{text}' is not a run reference: pass a run id, or backend:id as mlops prints it.");

    /// <summary>The text users pass back to the tool to name <paramref name="run"/> (<c>backend:id</c>).</summary>
    /// <param name="run">The run.</param>
    public static string Format(Run run) => new RunRef(run.Id, run.Backend).ToString();
}
