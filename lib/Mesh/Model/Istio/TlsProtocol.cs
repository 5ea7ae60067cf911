namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>ServerTLSSettings.TLSProtocol</c>.</summary>
public enum TlsProtocol
{
    /// <summary>TLS_AUTO (the default).</summary>
    TlsAuto,

    /// <summary>TLSV1_0.</summary>
    Tlsv1_0,

    /// <summary>TLSV1_1.</summary>
    Tlsv1_1,

    /// <summary>TLSV1_2.</summary>
    Tlsv1_2,

    /// <summary>TLSV1_3.</summary>
    Tlsv1_3,
}
