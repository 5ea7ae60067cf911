namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>ServiceEntry.Resolution</c>.</summary>
public enum ServiceEntryResolution
{
    /// <summary>NONE: to the address the client dialled (the default).</summary>
    None,

    /// <summary>STATIC: to the listed endpoint addresses.</summary>
    Static,

    /// <summary>DNS: the proxy resolves the endpoints' (or hosts') names.</summary>
    Dns,
}
