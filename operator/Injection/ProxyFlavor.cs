namespace ControlPlane.Operator.Injection;

public enum ProxyFlavor
{
    /// <summary>Envoy, as Istio's proxyv2 image runs it.</summary>
    Envoy,

    /// <summary>MOSN, through its proxyv2-compatible image (pilot-agent starting /usr/local/bin/mosn).</summary>
    Mosn,
}

public static class ProxyFlavors
{
    public static bool TryParse(string? value, out ProxyFlavor flavor)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "envoy":
                flavor = ProxyFlavor.Envoy;
                return true;
            case "mosn":
                flavor = ProxyFlavor.Mosn;
                return true;
            default:
                flavor = ProxyFlavor.Envoy;
                return false;
        }
    }

    public static string Name(this ProxyFlavor flavor) => flavor == ProxyFlavor.Mosn ? "mosn" : "envoy";
}
