namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>ClientTLSSettings.TLSmode</c>.</summary>
public enum ClientTlsMode
{
    /// <summary>DISABLE: plain text (the default).</summary>
    Disable,

    /// <summary>SIMPLE.</summary>
    Simple,

    /// <summary>MUTUAL: with the given client certificate.</summary>
    Mutual,

    /// <summary>ISTIO_MUTUAL: with the proxy's Istio certificate.</summary>
    IstioMutual,
}
