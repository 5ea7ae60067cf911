namespace ControlPlane.FakeKubernetes;

/// <summary>A REST resource the fake serves: where it lives and what its objects and lists are called.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => $"{Kind}List";

    public string Key => $"{Group}/{Plural}";

    /// <summary>Every resource the fake serves, for discovery too (kubectl and helm map kinds to resources by it).</summary>
    public static IReadOnlyList<ResourceType> All => Known;

    private static readonly ResourceType[] Known =
    [
        new("", "v1", "services", "Service", true),
        new("", "v1", "serviceaccounts", "ServiceAccount", true),
        new("", "v1", "endpoints", "Endpoints", true),
        new("", "v1", "pods", "Pod", true),
        new("", "v1", "namespaces", "Namespace", false),
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "configmaps", "ConfigMap", true),
        new("", "v1", "events", "Event", true),
        new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true),
        new("apps", "v1", "deployments", "Deployment", true),
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false),
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true),
        new("coordination.k8s.io", "v1", "leases", "Lease", true),
        new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false),
        new("mesh.controlplane.io", "v1alpha1", "sidecarinjectors", "SidecarInjector", false),
        new("mesh.controlplane.io", "v1alpha1", "interfaceoutlierdetections", "InterfaceOutlierDetection", true),
        new("networking.istio.io", "v1alpha3", "virtualservices", "VirtualService", true),
        new("networking.istio.io", "v1alpha3", "destinationrules", "DestinationRule", true),
        new("networking.istio.io", "v1alpha3", "gateways", "Gateway", true),
        new("networking.istio.io", "v1alpha3", "serviceentries", "ServiceEntry", true),
        new("networking.istio.io", "v1alpha3", "sidecars", "Sidecar", true),
        new("networking.istio.io", "v1alpha3", "workloadentries", "WorkloadEntry", true),
    ];

    public static ResourceType? Find(string group, string version, string plural) =>
        Known.FirstOrDefault(r => r.Group == group && r.Plural == plural) is { } known
            ? known with { Version = version }
            : null;
}
