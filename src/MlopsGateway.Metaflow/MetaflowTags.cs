namespace MlopsGateway.Metaflow;

/// <summary>
/// Neutral tags over Metaflow's plain string tags. A Metaflow tag <c>x</c> is the key <c>x</c> with value
/// <c>""</c>, never split on <c>:</c> (<c>team:ml</c> is one key). A neutral tag with a non-empty value has
/// no Metaflow form, so the gateway writes it in its own namespace as <c>mlopsgateway/key=value</c> and reads
/// exactly those back as key and value; every other tag stays whole. The gateway also records a registered
/// run's display name as the system tag <c>mlopsgateway/name=…</c>.
/// </summary>
internal static class MetaflowTags
{
    public const string Prefix = "mlopsgateway/";
    private const string NameKey = "name";

    /// <summary>The Metaflow tag for a neutral key and value.</summary>
    public static string Encode(string key, string? value)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw MlopsGuard.Invalid("A tag key must not be empty.");
        }
        if (key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw MlopsGuard.Invalid($"Tag keys starting with '{Prefix}' are reserved for the gateway's key=value encoding.");
        }
        if (string.IsNullOrEmpty(value))
        {
            return key;
        }
        if (key.Contains('=', StringComparison.Ordinal))
        {
            throw MlopsGuard.Invalid($"The tag key '{key}' contains '='; a tag with a value needs a key without '=' (or use the whole text as a key with an empty value).");
        }
        return Prefix + key + "=" + value;
    }

    /// <summary>Decodes one Metaflow tag into a neutral key and value.</summary>
    public static KeyValuePair<string, string> Decode(string tag)
    {
        if (tag.StartsWith(Prefix, StringComparison.Ordinal))
        {
            var eq = tag.IndexOf('=', Prefix.Length);
            if (eq > Prefix.Length)
            {
                return new(tag[Prefix.Length..eq], tag[(eq + 1)..]);
            }
        }
        return new(tag, "");
    }

    /// <summary>The run's tags as a neutral map.</summary>
    public static IReadOnlyDictionary<string, string> ToMap(List<string> tags)
    {
        if (tags.Count == 0)
        {
            return MetaflowMapper.NoStrings;
        }
        var map = new Dictionary<string, string>(tags.Count, StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            var (key, value) = Decode(tag);
            map[key] = value;
        }
        return map;
    }

    /// <summary>The stored tags that currently carry <paramref name="key"/> (its plain form and any encoded value).</summary>
    public static IEnumerable<string> Carrying(IEnumerable<string> tags, string key)
        => tags.Where(t => Decode(t).Key == key);

    /// <summary>The system tag recording a registered run's display name.</summary>
    public static string NameTag(string name) => Prefix + NameKey + "=" + name;

    /// <summary>The display name recorded by <see cref="NameTag"/>, if any.</summary>
    public static string? NameOf(List<string> systemTags)
    {
        foreach (var tag in systemTags)
        {
            if (tag.StartsWith(Prefix + NameKey + "=", StringComparison.Ordinal))
            {
                return tag[(Prefix.Length + NameKey.Length + 1)..];
            }
        }
        return null;
    }
}
