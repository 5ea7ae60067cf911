namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>ServerTLSSettings.TLSmode</c>.</summary>
public enum ServerTlsMode
{
    /// <summary>PASSTHROUGH (the default).</summary>
    Passthrough,

    /// <summary>SIMPLE.</summary>
    Simple,

    /// <summary>MUTUAL.</summary>
    Mutual,

    /// <summary>AUTO_PASSTHROUGH.</summary>
    AutoPassthrough,

    /// <summary>ISTIO_MUTUAL.</summary>
    IstioMutual,
}
