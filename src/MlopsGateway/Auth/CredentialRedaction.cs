namespace MlopsGateway.Auth;

/// <summary>
/// Removes the credentials a request carried from text the server sent back (an error message): some servers and
/// proxies repeat the <c>Authorization</c> header or an API key in their error pages, and the gateway quotes the
/// server's message in its exceptions. Every credential header the gateway sends is covered: <c>Authorization</c>,
/// <c>Proxy-Authorization</c> and the configured <c>Headers</c> and <c>Auth:Headers</c>.
/// </summary>
internal static class CredentialRedaction
{
    /// <summary>What replaces a credential.</summary>
    public const string Mask = "***";

    private static readonly string[] s_authorizationHeaders = ["Authorization", "Proxy-Authorization"];

    /// <summary>Returns <paramref name="text"/> with every credential value of <paramref name="request"/> replaced by <see cref="Mask"/>.</summary>
    /// <param name="text">Text that may quote the server.</param>
    /// <param name="request">The request the server answered (its headers as sent), or null.</param>
    /// <param name="options">The backend's options, naming its credential headers.</param>
    public static string Redact(string text, HttpRequestMessage? request, BackendOptions options)
    {
        if (request is null || string.IsNullOrEmpty(text))
        {
            return text;
        }
        foreach (var secret in Secrets(request, options).Where(s => s.Length >= 4).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return text;
    }

    private static IEnumerable<string> Secrets(HttpRequestMessage request, BackendOptions options)
    {
        foreach (var name in s_authorizationHeaders.Concat(options.Headers.Keys).Concat(options.Auth.Headers.Keys))
        {
            if (!request.Headers.TryGetValues(name, out var values))
            {
                continue;
            }
            foreach (var value in values)
            {
                yield return value;
                // "Bearer <token>", "Basic <base64>": the credential alone may be quoted too.
                if (value.IndexOf(' ', StringComparison.Ordinal) is var space and > 0)
                {
                    yield return value[(space + 1)..].Trim();
                }
            }
        }
    }
}
