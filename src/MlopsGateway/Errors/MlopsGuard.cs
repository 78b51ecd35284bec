using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace MlopsGateway;

/// <summary>
/// The one way a public operation refuses a caller's value before sending anything. A missing argument
/// (<see langword="null"/>) is a programming error and stays <see cref="ArgumentNullException"/>; a value
/// that is present but unusable — empty or blank text, an empty list, an empty run reference, a value
/// outside what the backend accepts — is <see cref="MlopsValidationException"/>, the same type a server's
/// own 400/422 becomes, so callers handle both refusals with one <c>catch</c>. Every adapter, the Local
/// backend and the core use it; a test sweeps the public API for any other exception type.
/// </summary>
public static class MlopsGuard
{
    /// <summary>Returns <paramref name="value"/>, refusing an empty string.</summary>
    /// <param name="value">The caller's text.</param>
    /// <param name="name">The argument as written at the call site (filled in by the compiler), named in the message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="MlopsValidationException"><paramref name="value"/> is empty.</exception>
    public static string NotEmpty([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        return value.Length == 0 ? throw Invalid($"{name} must not be empty.") : value;
    }

    /// <summary>Returns <paramref name="value"/>, refusing an empty or whitespace-only string.</summary>
    /// <param name="value">The caller's text.</param>
    /// <param name="name">The argument as written at the call site (filled in by the compiler), named in the message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="MlopsValidationException"><paramref name="value"/> is empty or whitespace.</exception>
    public static string NotBlank([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        return string.IsNullOrWhiteSpace(value) ? throw Invalid($"{name} must not be empty or whitespace.") : value;
    }

    /// <summary>Returns the id of <paramref name="run"/>, refusing a reference without one (an empty string converted to a reference).</summary>
    /// <param name="run">The caller's run reference.</param>
    /// <param name="name">The argument as written at the call site (filled in by the compiler), named in the message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="run"/> is null.</exception>
    /// <exception cref="MlopsValidationException">The reference has no id.</exception>
    public static string RunId([NotNull] RunRef? run, [CallerArgumentExpression(nameof(run))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(run, name);
        return string.IsNullOrEmpty(run.Id) ? throw Invalid($"{name} must reference a run (its Id is empty).") : run.Id;
    }

    /// <summary>Returns the items of <paramref name="items"/> as a list, refusing an empty sequence or any empty string in it.</summary>
    /// <param name="items">The caller's values, enumerated once.</param>
    /// <param name="name">The argument as written at the call site (filled in by the compiler), named in the message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    /// <exception cref="MlopsValidationException">The sequence is empty or holds an empty (or null) string.</exception>
    public static IReadOnlyList<string> NotEmpty([NotNull] IEnumerable<string?>? items, [CallerArgumentExpression(nameof(items))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(items, name);
        var list = new List<string>();
        foreach (var item in items)
        {
            list.Add(string.IsNullOrEmpty(item) ? throw Invalid($"{name} must not hold empty values.") : item);
        }
        return list.Count == 0 ? throw Invalid($"{name} must hold at least one value.") : list;
    }

    /// <summary>
    /// Returns <paramref name="value"/>, refusing one longer than a request URL can carry (8,192 characters: no server
    /// or proxy accepts a longer request line). The core applies this to every value it renders into a URL; an adapter
    /// calls it itself only to refuse before a lookup that precedes the request carrying the value.
    /// </summary>
    /// <param name="value">The caller's text.</param>
    /// <param name="name">The argument as written at the call site (filled in by the compiler), named in the message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="MlopsValidationException"><paramref name="value"/> is too long for a URL.</exception>
    public static string UrlValue([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        return value.Length <= Http.UrlValues.MaxLength ? value
            : throw Invalid(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{name} of {value.Length} characters ('{value[..Http.UrlValues.QuotedLength]}…') is longer than the {Http.UrlValues.MaxLength} a request URL can carry; no server would accept it."));
    }

    /// <summary>Refuses the caller's value with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    /// <param name="condition">Whether the value is acceptable.</param>
    /// <param name="message">What is wrong and what to do instead; never a secret.</param>
    /// <exception cref="MlopsValidationException"><paramref name="condition"/> is false.</exception>
    public static void That([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            throw Invalid(message);
        }
    }

    /// <summary>The exception for a refused value, for call sites that must <c>throw</c> in an expression.</summary>
    /// <param name="message">What is wrong and what to do instead; never a secret.</param>
    public static MlopsValidationException Invalid(string message) => new(message);
}
