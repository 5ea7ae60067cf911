namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>LoadBalancerSettings.SimpleLB</c>.</summary>
public enum SimpleLb
{
    /// <summary>ROUND_ROBIN.</summary>
    RoundRobin,

    /// <summary>LEAST_CONN.</summary>
    LeastConn,

    /// <summary>RANDOM.</summary>
    Random,

    /// <summary>PASSTHROUGH: to the address the client dialled.</summary>
    Passthrough,
}
