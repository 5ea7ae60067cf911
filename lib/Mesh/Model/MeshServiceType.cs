namespace ControlPlane.Mesh.Model;

/// <summary>A Kubernetes Service's <c>spec.type</c>.</summary>
public enum MeshServiceType
{
    /// <summary>The default: a virtual IP (or none, for a headless service) in front of the selected pods.</summary>
    ClusterIP,

    /// <summary>A ClusterIP service also reachable on every node's port; to sidecars the same as ClusterIP.</summary>
    NodePort,

    /// <summary>A NodePort service behind an external load balancer; to sidecars the same as ClusterIP.</summary>
    LoadBalancer,

    /// <summary>A DNS alias (<c>spec.externalName</c>) for a host outside the cluster: no VIP, no endpoints.</summary>
    ExternalName,
}
