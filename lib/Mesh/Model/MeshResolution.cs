namespace ControlPlane.Mesh.Model;

/// <summary>How a proxy finds a service's endpoints; Istio's <c>model.Resolution</c>.</summary>
public enum MeshResolution
{
    /// <summary>The control plane sends the endpoints (EDS) and the proxy balances over them: services with a VIP.</summary>
    ClientSideLb,

    /// <summary>The proxy resolves a host name itself: ExternalName services (STRICT_DNS clusters).</summary>
    DnsLb,

    /// <summary>Connections go to the address the client dialled: headless services (ORIGINAL_DST clusters).</summary>
    Passthrough,
}
