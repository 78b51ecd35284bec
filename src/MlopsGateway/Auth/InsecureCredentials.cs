using Microsoft.Extensions.Logging;

namespace MlopsGateway.Auth;

/// <summary>
/// The one rule for credentials over plain http: a backend that sends a credential (any <c>Auth:Type</c> but None, or
/// an <c>Authorization</c>, <c>Proxy-Authorization</c> or secret-referenced header) to an <c>http://</c> URL whose
/// host is not loopback would hand it to anyone on the network path. Start-up validation refuses that unless
/// <see cref="AuthOptions.AllowInsecureCredentials"/> is set; then the backend logs one warning when first used.
/// </summary>
internal static partial class InsecureCredentials
{
    private static readonly string[] s_credentialHeaders = ["Authorization", "Proxy-Authorization"];

    /// <summary>What credential the backend sends (for messages; never its value), or null when it sends none.</summary>
    public static string? Carrier(BackendOptions options)
    {
        var type = AuthTypes.Normalize(options.Auth.Type);
        if (type is not null and not AuthTypes.None)
        {
            return $"Auth:Type {type} credentials";
        }
        var header = options.Headers.FirstOrDefault(h => s_credentialHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase) || SecretReference.IsWellFormed(h.Value));
        return header.Key is null ? null : $"the Headers:{header.Key} header";
    }

    /// <summary>The configured URLs (key relative to the backend, value) the credential would cross in clear text.</summary>
    public static IEnumerable<(string Key, string Url)> ClearTextUrls(BackendOptions options)
    {
        var urls = new List<(string, string?)> { ("BaseUrl", options.BaseUrl), ("Auth:TokenUrl", options.Auth.TokenUrl) };
        urls.AddRange(options.Endpoints.Select(e => ($"Endpoints:{e.Key}:BaseUrl", e.Value.BaseUrl)));
        foreach (var (key, url) in urls)
        {
            if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
            {
                yield return (key, new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString());
            }
        }
    }

    /// <summary>Adds a start-up error per clear-text URL of a backend that sends credentials and has not opted in.</summary>
    /// <param name="key">The backend's configuration key (<c>Mlops:Backends:name</c>).</param>
    /// <param name="options">The backend's options.</param>
    /// <param name="errors">Collects the messages.</param>
    public static void Validate(string key, BackendOptions options, List<string> errors)
    {
        if (options.Auth.AllowInsecureCredentials || Carrier(options) is not { } carrier)
        {
            return;
        }
        foreach (var (urlKey, url) in ClearTextUrls(options))
        {
            errors.Add($"{key}:{urlKey}: '{url}' is plain http to a host that is not loopback, so {carrier} would cross the network in clear text. " +
                $"Use https, or set {key}:Auth:AllowInsecureCredentials to true on a network you trust (a warning is logged).");
        }
    }

    /// <summary>Logs the opted-in exposure once (the caller calls this once per backend).</summary>
    /// <param name="logger">The gateway's logger.</param>
    /// <param name="backend">The backend name.</param>
    /// <param name="options">The backend's options.</param>
    public static void WarnIfOptedIn(ILogger logger, string backend, BackendOptions options)
    {
        if (options.Auth.AllowInsecureCredentials && Carrier(options) is { } carrier)
        {
            foreach (var (urlKey, url) in ClearTextUrls(options))
            {
                LogClearText(logger, backend, carrier, urlKey, url);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend '{Backend}' sends {Carrier} over plain http to {Key} '{Url}' (Auth:AllowInsecureCredentials): anyone on the network path can read them. Use https outside a trusted network.")]
    private static partial void LogClearText(ILogger logger, string backend, string carrier, string key, string url);
}
