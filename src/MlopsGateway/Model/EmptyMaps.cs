using System.Collections.ObjectModel;

namespace MlopsGateway;

/// <summary>Shared empty read-only maps, so default-initialised model properties never allocate.</summary>
internal static class EmptyMaps
{
    public static readonly IReadOnlyDictionary<string, string> Strings = ReadOnlyDictionary<string, string>.Empty;
    public static readonly IReadOnlyDictionary<string, double> Doubles = ReadOnlyDictionary<string, double>.Empty;

    public static IReadOnlyDictionary<string, TValue> For<TValue>() => ReadOnlyDictionary<string, TValue>.Empty;
}
