namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>OutboundTrafficPolicy.Mode</c>.</summary>
public enum OutboundTrafficPolicyMode
{
    /// <summary>REGISTRY_ONLY (the proto default).</summary>
    RegistryOnly,

    /// <summary>ALLOW_ANY.</summary>
    AllowAny,
}
