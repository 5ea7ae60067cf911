using System.Security.Cryptography.X509Certificates;

namespace ControlPlane.Operator.Certificates;

/// <summary>The serving certificate Kestrel presents on the webhook port; swapped in place on rotation.</summary>
public sealed class WebhookCertificateStore
{
    private X509Certificate2? _current;
    private CertificateBundle? _bundle;

    public X509Certificate2? Current => Volatile.Read(ref _current);

    public CertificateBundle? Bundle => Volatile.Read(ref _bundle);

    /// <summary>True when the certificate changed.</summary>
    public bool Set(CertificateBundle bundle)
    {
        if (bundle == Bundle)
        {
            return false;
        }

        Volatile.Write(ref _current, bundle.ServerCertificate());
        Volatile.Write(ref _bundle, bundle);
        return true;
    }
}
