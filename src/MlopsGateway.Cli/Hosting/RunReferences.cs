namespace MlopsGateway.Cli;

/// <summary>Turns a command-line run argument into a <see cref="RunRef"/>.</summary>
internal static class RunReferences
{
    /// <summary>
    /// The reference <paramref name="text"/> denotes. Parsing <c>backend:id</c> belongs to the core
    /// (<c>RunRef.Parse</c>, round-tripping <see cref="RunRef.ToString"/>); until it lands every argument is
    /// a bare id on the selected backend.
    /// </summary>
    /// <param name="text">The argument as typed.</param>
    public static RunRef Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliUsageException("a run reference must not be empty.");
        }
        return new RunRef(text);
    }

    /// <summary>The text users pass back to the tool to name <paramref name="run"/> (<c>backend:id</c>).</summary>
    /// <param name="run">The run.</param>
    public static string Format(Run run) => ((RunRef)run).ToString();
}
