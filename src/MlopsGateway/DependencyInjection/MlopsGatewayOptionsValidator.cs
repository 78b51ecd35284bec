using Microsoft.Extensions.Options;
using MlopsGateway.Auth;

namespace MlopsGateway;

/// <summary>Validates the whole <c>Mlops</c> section at start-up; every message names the configuration key at fault.</summary>
internal sealed class MlopsGatewayOptionsValidator(IEnumerable<BackendTypeRegistration> registrations, string sectionPath) : IValidateOptions<MlopsGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, MlopsGatewayOptions options)
    {
        var errors = new List<string>();
        var types = registrations.ToDictionary(r => r.Type, StringComparer.OrdinalIgnoreCase);
        foreach (var (backendName, backend) in options.Backends)
        {
            ValidateBackend($"{sectionPath}:Backends:{backendName}", backend, types, errors);
        }

        if (options.DefaultBackend is { } def && !options.Backends.ContainsKey(def))
        {
            errors.Add($"{sectionPath}:DefaultBackend: '{def}' is not a configured backend ({Names(options)}).");
        }
        if (options.DefaultBackend is null && options.Backends.Count > 1 && (options.Routing is null || RoutesMissing(options.Routing)))
        {
            errors.Add($"{sectionPath}:DefaultBackend: required when several backends are configured ({Names(options)}) unless Routing names one for Runs, Pipelines and Models.");
        }
        if (options.Routing is { } routing)
        {
            foreach (var (key, target) in new[] { ("Runs", routing.Runs), ("Pipelines", routing.Pipelines), ("Models", routing.Models) })
            {
                if (target is not null && !options.Backends.ContainsKey(target))
                {
                    errors.Add($"{sectionPath}:Routing:{key}: '{target}' is not a configured backend ({Names(options)}).");
                }
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static readonly (string Type, string Package, string Method)[] s_packages =
    [
        ("MLflow", "MlopsGateway.MLflow", "AddMLflow()"),
        ("Airflow", "MlopsGateway.Airflow", "AddAirflow()"),
        ("Kubeflow", "MlopsGateway.Kubeflow", "AddKubeflow()"),
        ("Metaflow", "MlopsGateway.Metaflow", "AddMetaflow()"),
        ("Local", "MlopsGateway.Local", "AddLocal()"),
    ];

    private static bool RoutesMissing(RoutingOptions routing) => routing.Runs is null || routing.Pipelines is null || routing.Models is null;

    private static string Names(MlopsGatewayOptions options) => options.Backends.Count == 0 ? "none" : "configured: " + string.Join(", ", options.Backends.Keys);

    private static void ValidateBackend(string key, BackendOptions backend, Dictionary<string, BackendTypeRegistration> types, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(backend.Type))
        {
            errors.Add($"{key}:Type: required; registered types: {string.Join(", ", types.Keys)}.");
            return;
        }
        if (!types.TryGetValue(backend.Type, out var registration))
        {
            var package = s_packages.FirstOrDefault(p => string.Equals(p.Type, backend.Type, StringComparison.OrdinalIgnoreCase));
            var hint = package.Type is null ? "" : $" Reference {package.Package} and call {package.Method} on AddMlopsGateway(…).";
            errors.Add($"{key}:Type: unknown backend type '{backend.Type}'; registered types: {(types.Count == 0 ? "none" : string.Join(", ", types.Keys))}.{hint}");
            return;
        }
        if (registration.RequiresBaseUrl)
        {
            ValidateBaseUrl($"{key}:BaseUrl", backend.BaseUrl, registration.Type, errors);
        }
        foreach (var (endpoint, options) in backend.Endpoints)
        {
            ValidateBaseUrl($"{key}:Endpoints:{endpoint}:BaseUrl", options.BaseUrl, registration.Type, errors);
        }
        ValidateAuth($"{key}:Auth", backend.Auth, errors);
        InsecureCredentials.Validate(key, backend, errors);
        ValidateTls($"{key}:Tls", backend.Tls, errors);
        ValidateResilience($"{key}:Resilience", backend.Resilience, errors);
        if (backend.MaxConcurrentRequests is < 1)
        {
            errors.Add($"{key}:MaxConcurrentRequests: must be at least 1 (got {backend.MaxConcurrentRequests}).");
        }
        foreach (var (header, value) in backend.Headers)
        {
            CheckReferenceIfAny($"{key}:Headers:{header}", value, errors);
        }
        registration.Validate?.Invoke(backend, key, errors);
    }

    private static void ValidateBaseUrl(string key, string? baseUrl, string type, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            errors.Add($"{key}: required for a {type} backend.");
        }
        else if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{key}: '{baseUrl}' is not an absolute http or https URL.");
        }
        else if (uri.UserInfo.Length > 0)
        {
            // The URL lands in logs and spans; credentials belong in Auth, where they are never written out.
            errors.Add($"{key}: must not carry credentials in the URL (user info); configure them under Auth.");
        }
    }

    private static void ValidateAuth(string key, AuthOptions auth, List<string> errors)
    {
        var type = AuthTypes.Normalize(auth.Type);
        switch (type)
        {
            case null:
                errors.Add($"{key}:Type: unknown '{auth.Type}'; use one of {string.Join(", ", AuthTypes.All)}.");
                return;
            case AuthTypes.Basic or AuthTypes.TokenExchange:
                if (string.IsNullOrWhiteSpace(auth.Username))
                {
                    errors.Add($"{key}:Username: required for Auth:Type {type}.");
                }
                RequireSecret($"{key}", "Password", auth.Password, "PasswordFrom", auth.PasswordFrom, errors, type);
                break;
            case AuthTypes.Bearer:
                if (auth.TokenFrom is not null)
                {
                    CheckReference($"{key}:TokenFrom", auth.TokenFrom, errors);
                }
                break;
            case AuthTypes.TokenFile:
                if (string.IsNullOrWhiteSpace(auth.TokenFile))
                {
                    errors.Add($"{key}:TokenFile: required for Auth:Type TokenFile.");
                }
                else if (!File.Exists(auth.TokenFile))
                {
                    errors.Add($"{key}:TokenFile: file '{auth.TokenFile}' does not exist.");
                }
                break;
            case AuthTypes.Headers:
                if (auth.Headers.Count == 0)
                {
                    errors.Add($"{key}:Headers: at least one header is required for Auth:Type Headers.");
                }
                foreach (var (header, value) in auth.Headers)
                {
                    CheckReferenceIfAny($"{key}:Headers:{header}", value, errors);
                }
                break;
        }
        if (auth.RefreshBeforeExpiry < TimeSpan.Zero)
        {
            errors.Add($"{key}:RefreshBeforeExpiry: must not be negative.");
        }
    }

    private static void RequireSecret(string key, string inlineName, string? inline, string refName, string? reference, List<string> errors, string type)
    {
        if (string.IsNullOrEmpty(inline) && string.IsNullOrEmpty(reference))
        {
            errors.Add($"{key}:{refName}: required for Auth:Type {type} (or {inlineName} inline).");
        }
        else if (string.IsNullOrEmpty(inline))
        {
            CheckReference($"{key}:{refName}", reference!, errors);
        }
    }

    private static void CheckReference(string key, string reference, List<string> errors)
    {
        if (SecretReference.Problem(reference) is { } problem)
        {
            errors.Add($"{key}: {problem}.");
        }
    }

    private static void CheckReferenceIfAny(string key, string value, List<string> errors)
    {
        if (SecretReference.IsWellFormed(value))
        {
            CheckReference(key, value, errors);
        }
    }

    private static void ValidateTls(string key, TlsOptions tls, List<string> errors)
    {
        foreach (var (name, path) in new[] { ("CaCertificatePath", tls.CaCertificatePath), ("ClientCertificatePath", tls.ClientCertificatePath), ("ClientKeyPath", tls.ClientKeyPath) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                errors.Add($"{key}:{name}: file '{path}' does not exist.");
            }
        }
        if (!string.IsNullOrWhiteSpace(tls.ProxyUrl) && !Uri.TryCreate(tls.ProxyUrl, UriKind.Absolute, out _))
        {
            errors.Add($"{key}:ProxyUrl: '{tls.ProxyUrl}' is not an absolute URL.");
        }
        if (tls.ClientCertificatePasswordFrom is { } pw)
        {
            CheckReference($"{key}:ClientCertificatePasswordFrom", pw, errors);
        }
    }

    private static void ValidateResilience(string key, ResilienceOptions r, List<string> errors)
    {
        // Polly's own bounds: timeouts 10 ms .. 1 day, retries 0 .. int.MaxValue, ratio 0 .. 1.
        void Positive(string name, TimeSpan value)
        {
            if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromDays(1))
            {
                errors.Add($"{key}:{name}: must be between 10 ms and 1 day (got {value}).");
            }
        }
        Positive(nameof(r.TotalTimeout), r.TotalTimeout);
        Positive(nameof(r.AttemptTimeout), r.AttemptTimeout);
        Positive(nameof(r.StreamReadTimeout), r.StreamReadTimeout);
        if (r.MaxResponseBytes < 1024)
        {
            errors.Add($"{key}:MaxResponseBytes: must be at least 1024 (got {r.MaxResponseBytes}).");
        }
        if (r.AttemptTimeout > r.TotalTimeout)
        {
            errors.Add($"{key}:AttemptTimeout: must not exceed TotalTimeout ({r.AttemptTimeout} > {r.TotalTimeout}).");
        }
        if (r.MaxRetryAttempts < 0)
        {
            errors.Add($"{key}:MaxRetryAttempts: must not be negative.");
        }
        if (r.BaseDelay < TimeSpan.Zero || r.MaxDelay < r.BaseDelay)
        {
            errors.Add($"{key}:BaseDelay/MaxDelay: need 0 <= BaseDelay <= MaxDelay (got {r.BaseDelay} and {r.MaxDelay}).");
        }
        if (r.CircuitFailureRatio is < 0 or > 1)
        {
            errors.Add($"{key}:CircuitFailureRatio: must be between 0 and 1.");
        }
        else if (r.CircuitFailureRatio > 0)
        {
            if (r.CircuitSamplingDuration < TimeSpan.FromMilliseconds(500))
            {
                errors.Add($"{key}:CircuitSamplingDuration: must be at least 500 ms.");
            }
            if (r.CircuitBreakDuration < TimeSpan.FromMilliseconds(500))
            {
                errors.Add($"{key}:CircuitBreakDuration: must be at least 500 ms.");
            }
        }
    }
}
