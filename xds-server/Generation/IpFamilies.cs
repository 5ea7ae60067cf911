namespace ControlPlane.XdsServer.Generation;

/// <summary>The IP families a proxy has addresses in (istiod's SupportsIPv4/SupportsIPv6).</summary>
[Flags]
public enum IpFamilies
{
    IPv4 = 1,
    IPv6 = 2,
    DualStack = IPv4 | IPv6,
}
