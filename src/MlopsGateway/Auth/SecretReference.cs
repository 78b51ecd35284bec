namespace MlopsGateway;

/// <summary>
/// Resolves secrets given by reference in configuration: <c>env:NAME</c> reads an environment variable,
/// <c>file:PATH</c> reads a file (trimmed). Values are never logged or put in messages.
/// </summary>
public static class SecretReference
{
    /// <summary>Whether <paramref name="reference"/> has a supported scheme.</summary>
    /// <param name="reference">The reference.</param>
    public static bool IsWellFormed(string reference)
        => reference is not null
           && ((reference.StartsWith("env:", StringComparison.Ordinal) && reference.Length > 4)
               || (reference.StartsWith("file:", StringComparison.Ordinal) && reference.Length > 5));

    /// <summary>Explains why a reference cannot be resolved now, or null when it can.</summary>
    /// <param name="reference">The reference.</param>
    public static string? Problem(string reference)
    {
        if (!IsWellFormed(reference))
        {
            return "must be 'env:NAME' or 'file:PATH'";
        }
        if (reference.StartsWith("env:", StringComparison.Ordinal))
        {
            return Environment.GetEnvironmentVariable(reference[4..]) is { Length: > 0 } ? null : $"environment variable '{reference[4..]}' is not set";
        }
        return File.Exists(reference[5..]) ? null : $"file '{reference[5..]}' does not exist";
    }

    /// <summary>Resolves a reference to the secret value.</summary>
    /// <param name="reference">The reference.</param>
    /// <exception cref="InvalidOperationException">The reference is malformed or its target is missing (the message names the variable or file, never a value).</exception>
    public static string Resolve(string reference)
    {
        if (Problem(reference) is { } problem)
        {
            throw new InvalidOperationException($"Secret reference {problem}.");
        }
        return reference.StartsWith("env:", StringComparison.Ordinal)
            ? Environment.GetEnvironmentVariable(reference[4..])!
            : File.ReadAllText(reference[5..]).Trim();
    }

    /// <summary>Returns <paramref name="inline"/> when set, else resolves <paramref name="reference"/>, else null.</summary>
    /// <param name="inline">A value given inline.</param>
    /// <param name="reference">A value given by reference.</param>
    public static string? InlineOrResolve(string? inline, string? reference)
        => !string.IsNullOrEmpty(inline) ? inline : string.IsNullOrEmpty(reference) ? null : Resolve(reference);

    /// <summary>Resolves a header value that may itself be a reference (a value starting with <c>env:</c> or <c>file:</c>).</summary>
    /// <param name="value">The header value or reference.</param>
    public static string ResolveValue(string value) => IsWellFormed(value) ? Resolve(value) : value;
}
