namespace MlopsGateway;

/// <summary>One entry under <c>Mlops:Backends</c>: the platform type, where it is, how to authenticate, and resilience settings.</summary>
public sealed class BackendOptions
{
    /// <summary>The backend type registered by an adapter package: <c>MLflow</c>, <c>Airflow</c>, <c>Kubeflow</c>, <c>Metaflow</c>, <c>Local</c> (case-insensitive).</summary>
    public string? Type { get; set; }

    /// <summary>The server's absolute http(s) URL, including any path prefix the server is mounted under.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>How requests authenticate.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>TLS and proxy settings.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Timeouts, retries and circuit breaker.</summary>
    public ResilienceOptions Resilience { get; set; } = new();

    /// <summary>Most requests in flight to this backend at once (a limiter in the core); null: unlimited.</summary>
    public int? MaxConcurrentRequests { get; set; }

    /// <summary>
    /// Further services of the same backend with base URLs of their own (Kubeflow's Model Registry is
    /// <c>Endpoints:ModelRegistry</c>). Each gets its own HTTP client, circuit breaker and concurrency limit, and
    /// shares the backend's Auth, Tls, Headers and Resilience settings.
    /// </summary>
    public Dictionary<string, EndpointOptions> Endpoints { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Extra headers sent on every request (for example a workspace header); values may be secret references (<c>env:NAME</c>, <c>file:PATH</c>).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Adapter-specific settings (<c>ApiVersion</c>, <c>Path</c>, <c>Namespace</c> …). When bound
    /// from configuration, every key of the backend section that is not a property above lands here.
    /// </summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads an adapter-specific setting, or <paramref name="fallback"/> when absent or empty.</summary>
    /// <param name="key">The setting key.</param>
    /// <param name="fallback">The default.</param>
    public string? GetSetting(string key, string? fallback = null)
        => Settings.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v : fallback;

    /// <summary>The parsed <see cref="BaseUrl"/> with a trailing slash, so relative request paths append to any path prefix.</summary>
    public Uri? GetBaseUri() => EndpointOptions.ParseBaseUri(BaseUrl);

    /// <summary>The base URI of the named service <paramref name="endpoint"/> (see <see cref="Endpoints"/>), or of the backend itself when null.</summary>
    /// <param name="endpoint">The endpoint name, or null for <see cref="BaseUrl"/>.</param>
    public Uri? GetBaseUri(string? endpoint)
        => endpoint is null ? GetBaseUri() : Endpoints.TryGetValue(endpoint, out var e) ? EndpointOptions.ParseBaseUri(e.BaseUrl) : null;
}

/// <summary>A further service of a backend, under <c>Mlops:Backends:{name}:Endpoints:{endpoint}</c>.</summary>
public sealed class EndpointOptions
{
    /// <summary>The service's absolute http(s) URL, including any path prefix it is mounted under.</summary>
    public string? BaseUrl { get; set; }

    internal static Uri? ParseBaseUri(string? baseUrl)
    {
        if (string.IsNullOrWhiteSpace(baseUrl) || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
        {
            return null;
        }
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}

/// <summary>Authentication for one backend. Secrets are given by reference (<c>env:NAME</c>, <c>file:PATH</c>) or inline.</summary>
public sealed class AuthOptions
{
    /// <summary><c>None</c> (default), <c>Basic</c>, <c>Bearer</c>, <c>TokenExchange</c> (Airflow 3 <c>/auth/token</c>), <c>TokenFile</c> (re-read when it changes) or <c>Headers</c>.</summary>
    public string? Type { get; set; }

    /// <summary>User name for Basic and TokenExchange.</summary>
    public string? Username { get; set; }

    /// <summary>Password given inline (prefer <see cref="PasswordFrom"/>).</summary>
    public string? Password { get; set; }

    /// <summary>Password by reference: <c>env:NAME</c> or <c>file:PATH</c>.</summary>
    public string? PasswordFrom { get; set; }

    /// <summary>Bearer token given inline (prefer <see cref="TokenFrom"/>).</summary>
    public string? Token { get; set; }

    /// <summary>Bearer token by reference: <c>env:NAME</c> or <c>file:PATH</c>.</summary>
    public string? TokenFrom { get; set; }

    /// <summary>For TokenFile: the token file (a Kubernetes service-account token), re-read when it changes.</summary>
    public string? TokenFile { get; set; }

    /// <summary>For TokenExchange: the token endpoint, absolute or relative to the base URL. Default <c>auth/token</c>.</summary>
    public string? TokenUrl { get; set; }

    /// <summary>For TokenExchange: refresh this long before the token's <c>exp</c>. Default 60 s.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Allow sending these credentials (or an <c>Authorization</c> or secret-referenced header) over plain <c>http://</c>
    /// to a host that is not loopback — refused at start-up otherwise. Only for a network you trust (an in-cluster
    /// service address); the backend logs a warning when first used. Default false.
    /// </summary>
    public bool AllowInsecureCredentials { get; set; }

    /// <summary>For Headers: identity or API-key headers (KFP <c>kubeflow-userid</c>, Metaflow <c>x-api-key</c>); values may be secret references.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>TLS and proxy settings for one backend.</summary>
public sealed class TlsOptions
{
    /// <summary>A PEM file of CA certificates to trust for this backend (in addition to the system store).</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>A client certificate (PEM or PFX) for mutual TLS.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="ClientCertificatePath"/>, when separate.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>The PFX password by reference (<c>env:NAME</c>, <c>file:PATH</c>).</summary>
    public string? ClientCertificatePasswordFrom { get; set; }

    /// <summary>An HTTP proxy URL for this backend.</summary>
    public string? ProxyUrl { get; set; }

    /// <summary>Development only: accept any server certificate. Logged as a warning at start-up.</summary>
    public bool AllowInsecureServerCertificate { get; set; }
}

/// <summary>Resilience for one backend: timeouts, retries with backoff and jitter, circuit breaker.</summary>
public sealed class ResilienceOptions
{
    /// <summary>Longest time one operation's HTTP call may take including retries. Default 100 s.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Longest time one attempt may take, its answer's body included (a body the gateway reads whole). Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest wait for the next bytes of a body streamed to the caller (a download, a streamed list), which outlives
    /// the attempt; when it passes, the read fails with <see cref="MlopsUnavailableException"/>. Default 30 s.
    /// </summary>
    public TimeSpan StreamReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest answer body, in bytes, the gateway reads into memory (JSON and text answers; streamed downloads and lists
    /// are not limited); a larger one fails with an <see cref="MlopsException"/> after at most this many bytes. Default 8 MiB.
    /// </summary>
    public long MaxResponseBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Retries after the first attempt (0 disables retries). Default 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first backoff delay; grows exponentially with jitter. Default 0.5 s.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest backoff delay, also the cap on an honoured <c>Retry-After</c>. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Open the circuit when this share of calls fails in <see cref="CircuitSamplingDuration"/>. Default 0.5; 0 disables the breaker.</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the sampling window before the breaker may open. Default 20.</summary>
    public int CircuitMinimumThroughput { get; set; } = 20;

    /// <summary>The breaker's sampling window. Default 30 s.</summary>
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open. Default 15 s.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
