namespace ControlPlane.Mesh.Model.Istio;

/// <summary>TLS a Gateway server terminates (or passes through).</summary>
public sealed record ServerTlsSettings(
    bool HttpsRedirect,
    ServerTlsMode Mode,
    string? ServerCertificate,
    string? PrivateKey,
    string? CaCertificates,
    string? CredentialName,
    ValueList<string> SubjectAltNames,
    ValueList<string> VerifyCertificateSpki,
    ValueList<string> VerifyCertificateHash,
    TlsProtocol MinProtocolVersion,
    TlsProtocol MaxProtocolVersion,
    ValueList<string> CipherSuites);
