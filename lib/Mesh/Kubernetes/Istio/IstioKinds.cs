namespace ControlPlane.Mesh.Kubernetes.Istio;

/// <summary>The Istio 1.10 networking kinds the control plane watches (served as v1alpha3).</summary>
public static class IstioKinds
{
    public const string Group = "networking.istio.io";
    public const string Version = "v1alpha3";

    public static IReadOnlyList<(string Kind, string Plural)> All { get; } =
    [
        ("VirtualService", "virtualservices"),
        ("DestinationRule", "destinationrules"),
        ("Gateway", "gateways"),
        ("ServiceEntry", "serviceentries"),
        ("Sidecar", "sidecars"),
        ("WorkloadEntry", "workloadentries"),
    ];
}
