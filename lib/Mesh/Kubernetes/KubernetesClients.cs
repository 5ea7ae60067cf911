using k8s;

namespace ControlPlane.Mesh.Kubernetes;

public static class KubernetesClients
{
    /// <summary>A client for the cluster of <paramref name="kubeconfig"/>, or of the pod this runs in when it is null.</summary>
    public static IKubernetes Create(string? kubeconfig) => new k8s.Kubernetes(
        string.IsNullOrEmpty(kubeconfig)
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
}
