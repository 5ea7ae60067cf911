namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Istio's <c>HTTPSettings.H2UpgradePolicy</c>.</summary>
public enum H2UpgradePolicy
{
    /// <summary>DEFAULT: the mesh-wide setting.</summary>
    Default,

    /// <summary>DO_NOT_UPGRADE.</summary>
    DoNotUpgrade,

    /// <summary>UPGRADE.</summary>
    Upgrade,
}
