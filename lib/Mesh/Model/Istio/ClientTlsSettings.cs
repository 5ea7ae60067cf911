namespace ControlPlane.Mesh.Model.Istio;

/// <summary>TLS a proxy originates to a host.</summary>
/// <param name="ClientCertificate">A file path on the proxy.</param>
/// <param name="CredentialName">A Secret name (gateways only).</param>
public sealed record ClientTlsSettings(
    ClientTlsMode Mode,
    string? ClientCertificate,
    string? PrivateKey,
    string? CaCertificates,
    string? CredentialName,
    ValueList<string> SubjectAltNames,
    string? Sni);
