using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace MlopsGateway.Http;

/// <summary>Creates a backend's socket handler from its <see cref="TlsOptions"/>: custom CA, client certificate, proxy, insecure development switch.</summary>
internal static partial class PrimaryHandlerFactory
{
    public static SocketsHttpHandler Create(string backend, BackendOptions options, ILogger logger)
    {
        var tls = options.Tls;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
        };
        if (!string.IsNullOrWhiteSpace(tls.ProxyUrl))
        {
            handler.Proxy = new WebProxy(new Uri(tls.ProxyUrl));
            handler.UseProxy = true;
        }
        if (!string.IsNullOrWhiteSpace(tls.ClientCertificatePath))
        {
            handler.SslOptions.ClientCertificates = [LoadClientCertificate(tls)];
        }
        if (tls.AllowInsecureServerCertificate)
        {
            LogInsecure(logger, backend);
#pragma warning disable CA5359 // Deliberate: the explicit, logged insecure-development switch of DESIGN.md §3.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (!string.IsNullOrWhiteSpace(tls.CaCertificatePath))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(tls.CaCertificatePath);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (errors == SslPolicyErrors.RemoteCertificateChainErrors && ChainsTo(certificate, roots));
        }
        return handler;
    }

    private static bool ChainsTo(X509Certificate? certificate, X509Certificate2Collection roots)
    {
        if (certificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var cert = new X509Certificate2(certificate);
        return chain.Build(cert);
    }

    private static X509Certificate2 LoadClientCertificate(TlsOptions tls)
    {
        var path = tls.ClientCertificatePath!;
        if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
        {
            var password = string.IsNullOrEmpty(tls.ClientCertificatePasswordFrom) ? null : SecretReference.Resolve(tls.ClientCertificatePasswordFrom);
            return X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        return X509Certificate2.CreateFromPemFile(path, tls.ClientKeyPath);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend '{Backend}' accepts ANY server certificate (Tls:AllowInsecureServerCertificate). Use this only for local development.")]
    private static partial void LogInsecure(ILogger logger, string backend);
}
