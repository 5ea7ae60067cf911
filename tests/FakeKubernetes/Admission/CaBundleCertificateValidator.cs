using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>
/// Checks a webhook's TLS certificate the way the API server does: it must chain to a CA in the
/// webhook's caBundle (and only those: the machine's roots play no part) and name the host the
/// URL names, by a DNS or IP subject alternative name (Go ignores the common name, so do we).
/// Without a caBundle the system roots apply, as on a real server.
/// </summary>
public sealed class CaBundleCertificateValidator : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private readonly X509Certificate2Collection? _roots;

    private CaBundleCertificateValidator(X509Certificate2Collection? roots) => _roots = roots;

    /// <summary>Why the last certificate was refused, for the error the webhook's failure turns into.</summary>
    public string? Rejection { get; private set; }

    /// <param name="caBundle">clientConfig.caBundle as stored: base64 of PEM certificates, or null.</param>
    /// <exception cref="WebhookCallException">The bundle holds no usable certificate.</exception>
    public static CaBundleCertificateValidator FromCaBundle(string? caBundle)
    {
        if (string.IsNullOrEmpty(caBundle))
        {
            return new CaBundleCertificateValidator(null);
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(caBundle)));
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new WebhookCallException($"unable to load root certificates from caBundle: {e.Message}", e);
        }

        return roots.Count > 0
            ? new CaBundleCertificateValidator(roots)
            : throw new WebhookCallException("unable to load root certificates from caBundle: no PEM certificate in it");
    }

    /// <summary>A <see cref="HttpClientHandler.ServerCertificateCustomValidationCallback"/>.</summary>
    public bool Validate(HttpRequestMessage request, X509Certificate2? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        Rejection = null;
        if (_roots is null)
        {
            return errors == SslPolicyErrors.None || Reject($"x509: the certificate does not pass the system's trust roots and no caBundle is given ({errors})");
        }

        if (certificate is null)
        {
            return Reject("the server presented no certificate");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (presented is not null)
        {
            // Intermediates the server sent; only the custom roots can anchor the chain.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }

        if (!chain.Build(certificate))
        {
            var problems = string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}"));
            return Reject($"x509: certificate signed by unknown authority or otherwise invalid ({problems})");
        }

        var host = request.RequestUri?.IdnHost ?? "";
        return certificate.MatchesHostname(host, allowWildcards: true, allowCommonName: false)
            || Reject($"x509: certificate is not valid for {host} (subject alternative names do not name it)");
    }

    public void Dispose()
    {
        foreach (var root in _roots ?? [])
        {
            root.Dispose();
        }
    }

    private bool Reject(string reason)
    {
        Rejection = reason;
        return false;
    }
}
