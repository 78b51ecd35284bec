using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsGateway;

/// <summary>Source-generated JSON metadata for the core's own wire types (trim/AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(TokenExchangeRequest))]
[JsonSerializable(typeof(TokenExchangeResponse))]
[JsonSerializable(typeof(JwtPayload))]
internal sealed partial class CoreJsonContext : JsonSerializerContext;

internal sealed record TokenExchangeRequest(string Username, string Password);

internal sealed record TokenExchangeResponse
{
    public string? AccessToken { get; init; }
    public string? TokenType { get; init; }
    public long? ExpiresIn { get; init; }
}

internal sealed record JwtPayload
{
    public long? Exp { get; init; }
}
