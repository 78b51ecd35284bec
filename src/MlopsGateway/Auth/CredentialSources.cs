using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Auth;

/// <summary>Produces the credential for each request; refreshable sources re-obtain it once after a rejection.</summary>
internal abstract class CredentialSource
{
    /// <summary>Whether a rejected request should be re-sent with a fresh credential.</summary>
    public virtual bool CanRefresh => false;

    /// <summary>The Authorization header to send, or null.</summary>
    public abstract ValueTask<AuthenticationHeaderValue?> GetAsync(HttpMessageInvoker inner, bool forceRefresh, AuthenticationHeaderValue? rejected, CancellationToken ct);
}

internal sealed class NoCredential : CredentialSource
{
    public static readonly NoCredential Instance = new();
    public override ValueTask<AuthenticationHeaderValue?> GetAsync(HttpMessageInvoker inner, bool forceRefresh, AuthenticationHeaderValue? rejected, CancellationToken ct) => default;
}

/// <summary>Basic or static Bearer: computed once, never refreshed.</summary>
internal sealed class StaticCredential(AuthenticationHeaderValue value) : CredentialSource
{
    public static StaticCredential Basic(string user, string password)
        => new(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))));

    public override ValueTask<AuthenticationHeaderValue?> GetAsync(HttpMessageInvoker inner, bool forceRefresh, AuthenticationHeaderValue? rejected, CancellationToken ct)
        => ValueTask.FromResult<AuthenticationHeaderValue?>(value);
}

/// <summary>A token from an application-supplied <see cref="IMlopsTokenProvider"/>.</summary>
internal sealed class ProviderCredential(IMlopsTokenProvider provider) : CredentialSource
{
    public override bool CanRefresh => true;

    public override async ValueTask<AuthenticationHeaderValue?> GetAsync(HttpMessageInvoker inner, bool forceRefresh, AuthenticationHeaderValue? rejected, CancellationToken ct)
        => new("Bearer", await provider.GetTokenAsync(forceRefresh, ct).ConfigureAwait(false));
}

/// <summary>A bearer token read from a file (a Kubernetes service-account token), re-read when the file changes and once after a 401.</summary>
internal sealed class TokenFileCredential(string path) : CredentialSource
{
    private readonly object _gate = new();
    private DateTime _stamp;
    private long _length = -1;
    private string? _token;

    public override bool CanRefresh => true;

    public override ValueTask<AuthenticationHeaderValue?> GetAsync(HttpMessageInvoker inner, bool forceRefresh, AuthenticationHeaderValue? rejected, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new MlopsAuthenticationException($"The token file '{path}' does not exist (Auth:TokenFile).");
        }
        lock (_gate)
        {
            if (forceRefresh || _token is null || info.LastWriteTimeUtc != _stamp || info.Length != _length)
            {
                _token = File.ReadAllText(path).Trim();
                _stamp = info.LastWriteTimeUtc;
                _length = info.Length;
            }
            return ValueTask.FromResult<AuthenticationHeaderValue?>(new AuthenticationHeaderValue("Bearer", _token));
        }
    }
}

/// <summary>
/// Exchanges a username and password for a JWT (Airflow 3's <c>POST /auth/token</c>): cached until the
/// token's <c>exp</c> minus a margin, refreshed before expiry and once after a rejection, one login at a time.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim without AvailableWaitHandle holds no unmanaged resource; the credential lives as long as the backend.")]
internal sealed class TokenExchangeCredential(BackendContext context, Uri tokenUri, string username, string password, TimeSpan refreshMargin) : CredentialSource
{
    private readonly SemaphoreSlim _login = new(1, 1);
    private readonly TimeProvider time = context.TimeProvider;
    private readonly RefitSettings _settings = WithRfc3986Urls(BackendApi.CreateSettings(context, CoreJsonContext.Default, new TokenErrorParser(tokenUri)));
    private AuthenticationHeaderValue? _current;
    private DateTimeOffset _refreshAt = DateTimeOffset.MinValue;

    public override bool CanRefresh => true;

    public override async ValueTask<AuthenticationHeaderValue?> GetAsync(HttpMessageInvoker inner, bool forceRefresh, AuthenticationHeaderValue? rejected, CancellationToken ct)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && time.GetUtcNow() < _refreshAt && !(forceRefresh && ReferenceEquals(current, rejected)))
        {
            return current;
        }
        await _login.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Another caller may have logged in while we waited.
            current = _current;
            if (current is not null && time.GetUtcNow() < _refreshAt && !(forceRefresh && ReferenceEquals(current, rejected)))
            {
                return current;
            }
            var (token, expires) = await LoginAsync(inner, ct).ConfigureAwait(false);
            _current = new AuthenticationHeaderValue("Bearer", token);
            _refreshAt = expires is { } exp ? exp - refreshMargin : DateTimeOffset.MaxValue;
            return _current;
        }
        finally
        {
            _login.Release();
        }
    }

    private async Task<(string Token, DateTimeOffset? Expires)> LoginAsync(HttpMessageInvoker inner, CancellationToken ct)
    {
        // The exchange goes through the handlers below authentication only (it must not try to authenticate itself).
        using var client = new HttpClient(new InvokerHandler(inner), disposeHandler: true) { BaseAddress = tokenUri, Timeout = Timeout.InfiniteTimeSpan };
        var api = RestService.ForGenerated<ITokenEndpointApi>(client, _settings);
        var parsed = await api.ExchangeAsync(new TokenExchangeRequest(username, password), ct).ConfigureAwait(false);
        if (string.IsNullOrEmpty(parsed.AccessToken))
        {
            throw new MlopsAuthenticationException("The token endpoint's answer has no access_token.", MlopsErrors.Details(context.Name, null, null, null));
        }
        var expires = Jwt.Expiry(parsed.AccessToken)
            ?? (parsed.ExpiresIn is { } seconds ? time.GetUtcNow().AddSeconds(seconds) : null);
        return (parsed.AccessToken, expires);
    }

    /// <summary>The empty route must resolve to the token URL itself, which RFC 3986 resolution does.</summary>
    private static RefitSettings WithRfc3986Urls(RefitSettings settings)
    {
        settings.UrlResolution = UrlResolutionMode.Rfc3986;
        return settings;
    }

    /// <summary>Lets an <see cref="HttpClient"/> send through the handler chain below the auth handler without owning it.</summary>
    private sealed class InvokerHandler(HttpMessageInvoker inner) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => inner.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// Any refusal of the credentials is an authentication failure, whatever status the server chose for it. The
    /// server's reason is kept when it is a plain string (Airflow's "Invalid credentials"); a validation body's
    /// items are not, because FastAPI echoes the request — the password — in them.
    /// </summary>
    private sealed class TokenErrorParser(Uri tokenUri) : IBackendErrorParser
    {
        public BackendError Parse(HttpStatusCode status, string? contentType, string body)
        {
            var at = $"Token exchange at '{tokenUri.GetLeftPart(UriPartial.Path)}'";
            if ((int)status is not (400 or 401 or 403 or 422))
            {
                return new BackendError(null, $"{at} failed");
            }
            var reason = StringDetail(body) is { } detail ? $" ({detail})" : "";
            return new BackendError(null, $"{at} was refused{reason}; check Auth:Username and the password reference", MlopsErrorKind.Authentication);
        }

        private static string? StringDetail(string body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                return document.RootElement.ValueKind == JsonValueKind.Object
                       && document.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String
                    ? detail.GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}

/// <summary>Reads the <c>exp</c> claim of a JWT without validating it (the server validates; we only schedule refreshes).</summary>
internal static class Jwt
{
    public static DateTimeOffset? Expiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length < 2)
        {
            return null;
        }
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            var json = Convert.FromBase64String(payload);
            var claims = JsonSerializer.Deserialize(json, CoreJsonContext.Default.JwtPayload);
            return EpochTime.FromSeconds(claims?.Exp);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
