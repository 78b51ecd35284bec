using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace MlopsGateway;

/// <summary>
/// Read-only string-keyed maps built once by an adapter from a wire list (params, tags, metrics): an empty list is
/// the shared empty map, a handful of pairs is one array looked up linearly (a run's few params and tags cost one
/// small array instead of a hash table), and a longer list is a dictionary. Keys are ordinal; a later duplicate
/// replaces an earlier one, as in a dictionary.
/// </summary>
internal static class SmallMap
{
    private const int LinearLimit = 8;

    /// <summary>The map of the pairs <paramref name="pair"/> reads from <paramref name="source"/> (null results are skipped).</summary>
    public static IReadOnlyDictionary<string, TValue> From<TSource, TValue>(IReadOnlyList<TSource>? source, Func<TSource, KeyValuePair<string, TValue>?> pair)
    {
        if (source is null || source.Count == 0)
        {
            return EmptyMaps.For<TValue>();
        }
        if (source.Count > LinearLimit)
        {
            var map = new Dictionary<string, TValue>(source.Count, StringComparer.Ordinal);
            for (var i = 0; i < source.Count; i++)
            {
                if (pair(source[i]) is { } next)
                {
                    map[next.Key] = next.Value;
                }
            }
            return map;
        }
        var pairs = new KeyValuePair<string, TValue>[source.Count];
        var count = 0;
        for (var i = 0; i < source.Count; i++)
        {
            if (pair(source[i]) is not { } next)
            {
                continue;
            }
            var existing = Pairs<TValue>.IndexOf(pairs, count, next.Key);
            pairs[existing >= 0 ? existing : count++] = next;
        }
        if (count == 0)
        {
            return EmptyMaps.For<TValue>();
        }
        if (count < pairs.Length)
        {
            Array.Resize(ref pairs, count);
        }
        return new Pairs<TValue>(pairs);
    }

    /// <summary>At most <see cref="LinearLimit"/> distinct pairs, looked up linearly.</summary>
    private sealed class Pairs<TValue>(KeyValuePair<string, TValue>[] pairs) : IReadOnlyDictionary<string, TValue>
    {
        public TValue this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The key '{key}' is not in the map.");

        public IEnumerable<string> Keys => pairs.Select(p => p.Key);

        public IEnumerable<TValue> Values => pairs.Select(p => p.Value);

        public int Count => pairs.Length;

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out TValue value)
        {
            ArgumentNullException.ThrowIfNull(key);
            var at = IndexOf(pairs, pairs.Length, key);
            value = at >= 0 ? pairs[at].Value : default;
            return at >= 0;
        }

        public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, TValue>>)pairs).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public static int IndexOf(KeyValuePair<string, TValue>[] pairs, int count, string key)
        {
            for (var i = 0; i < count; i++)
            {
                if (string.Equals(pairs[i].Key, key, StringComparison.Ordinal))
                {
                    return i;
                }
            }
            return -1;
        }
    }
}
