using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation;

/// <summary>What a listener does with a port's traffic: Istio's <c>ListenerProtocol</c>.</summary>
public enum ListenerProtocol
{
    /// <summary>UDP: sidecars build nothing for it.</summary>
    None,

    /// <summary>An HTTP connection manager.</summary>
    Http,

    /// <summary>A tcp_proxy.</summary>
    Tcp,

    /// <summary>Protocol sniffing: HTTP when the HTTP inspector recognises it, else TCP.</summary>
    Auto,
}

/// <summary>Which listener protocol a service port's protocol gets.</summary>
public static class ListenerProtocols
{
    /// <summary>istiod 1.10's <c>ModelProtocolToListenerProtocol</c> with protocol sniffing on (its default) both ways.</summary>
    public static ListenerProtocol ForListener(this MeshProtocol protocol) =>
        protocol.IsHttp() ? ListenerProtocol.Http :
        protocol.IsTcp() ? ListenerProtocol.Tcp :
        protocol == MeshProtocol.Unsupported ? ListenerProtocol.Auto :
        ListenerProtocol.None;
}
