using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using MlopsGateway.Http;

namespace MlopsGateway.Auth;

/// <summary>
/// Adds the backend's credential and extra headers to every request (credentials not to endpoints declared
/// <see cref="AnonymousAttribute"/>); for refreshable credentials, re-sends once with a fresh one after a 401,
/// or a 403 whose body blames the token (Airflow 3 "Invalid JWT token").
/// </summary>
internal sealed partial class AuthHandler(CredentialSource credential, IReadOnlyList<KeyValuePair<string, string>> headers, string backend, ILogger logger)
    : DelegatingHandler
{
    private HttpMessageInvoker? _inner;

    /// <summary>Sends through the handlers below this one (a token exchange must not authenticate itself); kept for the handler's life.</summary>
    private HttpMessageInvoker Inner => _inner ??= new HttpMessageInvoker(InnerHandler!, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (RequestMarks.For(request).Anonymous)
        {
            return base.SendAsync(request, cancellationToken);
        }
        if (credential.CanRefresh)
        {
            return SendRefreshingAsync(request, cancellationToken);
        }
        // Static credentials (none, Basic, a fixed Bearer) are ready at once: no state machine per request.
        var pending = credential.GetAsync(Inner, forceRefresh: false, rejected: null, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return SendWithAsync(pending, request, cancellationToken);
        }
        if (pending.Result is { } header)
        {
            request.Headers.Authorization = header;
        }
        return base.SendAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendWithAsync(ValueTask<AuthenticationHeaderValue?> pending, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (await pending.ConfigureAwait(false) is { } header)
        {
            request.Headers.Authorization = header;
        }
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendRefreshingAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sent = await credential.GetAsync(Inner, forceRefresh: false, rejected: null, cancellationToken).ConfigureAwait(false);
        if (sent is not null)
        {
            request.Headers.Authorization = sent;
        }
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!RequestMarks.IsRewindable(request.Content) || !await IsTokenRejectionAsync(response, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        LogRefresh(logger, backend, (int)response.StatusCode);
        response.Dispose();
        var fresh = await credential.GetAsync(Inner, forceRefresh: true, rejected: sent, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = fresh;
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> IsTokenRejectionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return true;
        }
        if (response.StatusCode != HttpStatusCode.Forbidden)
        {
            return false;
        }
        await response.Content.LoadIntoBufferAsync(ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return body.Contains("token", StringComparison.OrdinalIgnoreCase) || body.Contains("jwt", StringComparison.OrdinalIgnoreCase);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backend '{Backend}' rejected the credential with HTTP {Status}; obtaining a fresh one and re-sending once.")]
    private static partial void LogRefresh(ILogger logger, string backend, int status);
}

/// <summary>Builds the credential source a backend's <see cref="AuthOptions"/> describe.</summary>
internal static class CredentialFactory
{
    public static CredentialSource Create(string backend, BackendOptions options, TimeProvider time, IMlopsTokenProvider? provider)
    {
        var auth = options.Auth;
        switch (AuthTypes.Normalize(auth.Type))
        {
            case AuthTypes.None:
            case AuthTypes.Headers:
                return NoCredential.Instance;
            case AuthTypes.Basic:
                return StaticCredential.Basic(auth.Username!, SecretReference.InlineOrResolve(auth.Password, auth.PasswordFrom)!);
            case AuthTypes.Bearer:
                var token = SecretReference.InlineOrResolve(auth.Token, auth.TokenFrom);
                if (token is not null)
                {
                    return new StaticCredential(new AuthenticationHeaderValue("Bearer", token));
                }
                return new ProviderCredential(provider ?? throw new InvalidOperationException(
                    $"Backend '{backend}' has Auth:Type Bearer with no Token, TokenFrom or registered IMlopsTokenProvider."));
            case AuthTypes.TokenFile:
                return new TokenFileCredential(auth.TokenFile!);
            case AuthTypes.TokenExchange:
                var baseUri = options.GetBaseUri()!;
                var tokenUri = new Uri(baseUri, string.IsNullOrWhiteSpace(auth.TokenUrl) ? "auth/token" : auth.TokenUrl);
                return new TokenExchangeCredential(new BackendContext(backend, options, time), tokenUri, auth.Username!,
                    SecretReference.InlineOrResolve(auth.Password, auth.PasswordFrom)!, auth.RefreshBeforeExpiry);
            default:
                throw new InvalidOperationException($"Unknown Auth:Type '{auth.Type}'.");
        }
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Headers(BackendOptions options)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in options.Headers)
        {
            result.Add(new(name, SecretReference.ResolveValue(value)));
        }
        if (AuthTypes.Normalize(options.Auth.Type) == AuthTypes.Headers)
        {
            foreach (var (name, value) in options.Auth.Headers)
            {
                result.Add(new(name, SecretReference.ResolveValue(value)));
            }
        }
        return result;
    }
}

/// <summary>The supported <see cref="AuthOptions.Type"/> values.</summary>
internal static class AuthTypes
{
    public const string None = "None";
    public const string Basic = "Basic";
    public const string Bearer = "Bearer";
    public const string TokenExchange = "TokenExchange";
    public const string TokenFile = "TokenFile";
    public const string Headers = "Headers";
    public static readonly string[] All = [None, Basic, Bearer, TokenExchange, TokenFile, Headers];

    public static string? Normalize(string? type)
        => string.IsNullOrWhiteSpace(type) ? None : All.FirstOrDefault(t => string.Equals(t, type, StringComparison.OrdinalIgnoreCase));
}
