using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;

namespace ControlPlane.Operator.Certificates;

/// <summary>The webhook's CA and serving certificate as PEM, the way the Secret stores them.</summary>
public sealed record CertificateBundle(string CaPem, string CertificatePem, string KeyPem)
{
    public const string CaKey = "ca.crt";
    public const string CertificateKey = "tls.crt";
    public const string PrivateKeyKey = "tls.key";

    public X509Certificate2 ServerCertificate() => X509Certificate2.CreateFromPem(CertificatePem, KeyPem);

    public DateTimeOffset NotAfter
    {
        get
        {
            using var certificate = X509Certificate2.CreateFromPem(CertificatePem);
            return certificate.NotAfter.ToUniversalTime();
        }
    }

    /// <summary>True when the serving certificate names every one of <paramref name="dnsNames"/>.</summary>
    public bool Covers(IEnumerable<string> dnsNames)
    {
        using var certificate = X509Certificate2.CreateFromPem(CertificatePem);
        return dnsNames.All(name => certificate.MatchesHostname(name));
    }

    /// <summary>A CA bundle trusting <paramref name="newCa"/> and the newest CA of <paramref name="previousBundle"/>.</summary>
    public static string CombineCas(string newCa, string previousBundle) => newCa.TrimEnd() + "\n" + FirstCertificate(previousBundle);

    /// <summary>The first certificate of a PEM bundle (the newest CA, as bundles are written newest first).</summary>
    public static string FirstCertificate(string pem)
    {
        const string end = "-----END CERTIFICATE-----";
        var at = pem.IndexOf(end, StringComparison.Ordinal);
        return (at < 0 ? pem.TrimEnd() : pem[..(at + end.Length)]) + "\n";
    }

    public IDictionary<string, byte[]> ToSecretData() => new Dictionary<string, byte[]>
    {
        [CaKey] = Encoding.UTF8.GetBytes(CaPem),
        [CertificateKey] = Encoding.UTF8.GetBytes(CertificatePem),
        [PrivateKeyKey] = Encoding.UTF8.GetBytes(KeyPem),
    };

    /// <summary>Reads a kubernetes.io/tls Secret; ca.crt may be missing when a provided certificate is self-signed.</summary>
    public static CertificateBundle? FromSecret(V1Secret? secret)
    {
        if (secret?.Data is null ||
            !secret.Data.TryGetValue(CertificateKey, out var certificate) ||
            !secret.Data.TryGetValue(PrivateKeyKey, out var key))
        {
            return null;
        }

        var ca = secret.Data.TryGetValue(CaKey, out var caBytes) ? Encoding.UTF8.GetString(caBytes) : Encoding.UTF8.GetString(certificate);
        var bundle = new CertificateBundle(ca, Encoding.UTF8.GetString(certificate), Encoding.UTF8.GetString(key));
        try
        {
            using var parsed = bundle.ServerCertificate();
            return bundle;
        }
        catch (Exception)
        {
            return null;
        }
    }
}
