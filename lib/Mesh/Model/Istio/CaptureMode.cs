namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>CaptureMode</c>.</summary>
public enum CaptureMode
{
    /// <summary>DEFAULT.</summary>
    Default,

    /// <summary>IPTABLES.</summary>
    Iptables,

    /// <summary>NONE.</summary>
    None,
}
