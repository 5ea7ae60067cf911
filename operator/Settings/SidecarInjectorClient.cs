using ControlPlane.Mesh.Kubernetes.Informers;
using ControlPlane.Operator.Api;
using k8s;

namespace ControlPlane.Operator.Settings;

public static class SidecarInjectorClient
{
    /// <summary>List and watch of the cluster-scoped SidecarInjector custom resources.</summary>
    public static ResourceClient<SidecarInjector, SidecarInjectorList> Create(IKubernetes client) =>
        CustomResourceClients.Cluster<SidecarInjector, SidecarInjectorList>(client, SidecarInjector.Group, SidecarInjector.Version, SidecarInjector.Plural);
}
