using MlopsGateway.Airflow.Api;
namespace MlopsGateway.Airflow;

/// <summary>The adapter-specific keys of a backend's configuration and their validation.</summary>
internal static class AirflowSettings
{
    /// <summary><c>v1</c>, <c>v2</c> or <c>auto</c> (default).</summary>
    public const string ApiVersionKey = "ApiVersion";

    /// <summary>The API path under the base URL; default <c>api/v1</c> or <c>api/v2</c>, <c>/</c> for the root.</summary>
    public const string ApiBasePathKey = "ApiBasePath";

    /// <summary>The keys above with their defaults, for the configuration reference.</summary>
    public static IReadOnlyList<BackendSetting> Declared { get; } =
    [
        new(ApiVersionKey, "`v1` (Airflow 2, `/api/v1`), `v2` (Airflow 3, `/api/v2`) or `auto`: ask the server once which it serves.") { Default = "auto" },
        new(ApiBasePathKey, "The API path under `BaseUrl`; absent: `api/v1` or `api/v2` by `ApiVersion`; `/` for a server that serves the API at the root."),
    ];

    /// <summary>Parses <c>ApiVersion</c>: null for auto.</summary>
    /// <exception cref="ArgumentException">The value is not v1, v2 or auto.</exception>
    public static AirflowApiVersion? ParseApiVersion(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "AUTO" => null,
        "V1" or "1" => AirflowApiVersion.V1,
        "V2" or "2" => AirflowApiVersion.V2,
        _ => throw new ArgumentException($"ApiVersion '{value}' is not v1, v2 or auto.", nameof(value)),
    };

    /// <summary>Adds a message per invalid setting (used by the registration's start-up validation).</summary>
    public static void Validate(BackendOptions options, string keyPrefix, ICollection<string> errors)
    {
        AirflowApiVersion? version;
        try
        {
            version = ParseApiVersion(options.GetSetting(ApiVersionKey));
        }
        catch (ArgumentException)
        {
            errors.Add($"{keyPrefix}:{ApiVersionKey} must be v1, v2 or auto (found '{options.GetSetting(ApiVersionKey)}').");
            return;
        }
        var auth = options.Auth.Type?.Trim();
        if (version == AirflowApiVersion.V2 && string.Equals(auth, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{keyPrefix}:Auth:Type Basic does not work with Airflow 3 (ApiVersion v2): use TokenExchange (POST /auth/token with Username/PasswordFrom) or Bearer.");
        }
        if (version == AirflowApiVersion.V1 && string.Equals(auth, "TokenExchange", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{keyPrefix}:Auth:Type TokenExchange does not work with Airflow 2 (ApiVersion v1), which has no /auth/token: use Basic.");
        }
    }
}
