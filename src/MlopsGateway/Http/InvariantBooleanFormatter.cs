using Refit;

namespace MlopsGateway.Http;

/// <summary>
/// Writes booleans in URLs as <c>true</c>/<c>false</c> (Refit's default writes .NET's <c>True</c>, which the
/// servers' query parsers do not all accept); every other value is formatted by Refit's default formatter.
/// </summary>
internal sealed class InvariantBooleanFormatter : IUrlParameterFormatter
{
    public static readonly InvariantBooleanFormatter Instance = new();

    public string? Format(object? value, IParameterAttributeProvider attributeProvider, Type type)
        => value is bool b ? (b ? "true" : "false") : null;
}
