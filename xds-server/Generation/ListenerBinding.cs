using Envoy.Config.Listener.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>How a listener says it must not bind its address: traffic reaches it only through virtualOutbound's original-destination hand-off.</summary>
public static class ListenerBinding
{
    /// <summary>
    /// Marks <paramref name="listener"/> as not bound, in both places proxies read: istiod 1.10 sets
    /// only <c>deprecated_v1.bind_to_port: false</c>, which Envoy 1.18 and MOSN's istio-1.10
    /// converter read (MOSN reads nothing else, and binds, and fails, without it); newer Envoys read
    /// <c>bind_to_port</c> first. Returns the same listener.
    /// </summary>
    public static Listener NotBound(this Listener listener)
    {
        listener.BindToPort = false;
#pragma warning disable CS0612 // deprecated in the Envoy API, but the field MOSN and istiod 1.10 use
        listener.DeprecatedV1 = new Listener.Types.DeprecatedV1 { BindToPort = false };
#pragma warning restore CS0612
        return listener;
    }
}
