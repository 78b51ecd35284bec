using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MlopsGateway;

/// <summary>
/// The source of a domain object's <c>Native</c> JSON: the wire object an adapter read, serialized the first time
/// someone reads <c>Native</c> (serializing it costs as much as having parsed it, and most callers never look), or an
/// element that is already at hand. Thread-safe; the element is produced once.
/// </summary>
internal abstract class NativeJson
{
    private StrongBox<JsonElement>? _value;

    /// <summary>The JSON, produced on first use (two first readers racing both produce equal JSON; one is kept).</summary>
    public JsonElement Value
        => (Volatile.Read(ref _value) ?? Interlocked.CompareExchange(ref _value, new StrongBox<JsonElement>(Produce()), null) ?? _value!).Value;

    /// <summary>The native JSON of <paramref name="wire"/>, serialized with its source-generated metadata when first read.</summary>
    public static NativeJson FromWire<T>(T wire, JsonTypeInfo<T> typeInfo) => new FromWireObject<T>(wire, typeInfo);

    /// <summary>An element that is already at hand (a value assigned to <c>Native</c> directly).</summary>
    public static NativeJson? FromElement(JsonElement? element) => element is { } value ? new Ready(value) : null;

    protected abstract JsonElement Produce();

    private sealed class FromWireObject<T>(T wire, JsonTypeInfo<T> typeInfo) : NativeJson
    {
        protected override JsonElement Produce() => JsonSerializer.SerializeToElement(wire, typeInfo);
    }

    private sealed class Ready(JsonElement value) : NativeJson
    {
        protected override JsonElement Produce() => value;
    }
}
