using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>Names Istio derives from a pod: its workload (deployment), canonical service and revision.</summary>
public static class WorkloadIdentity
{
    public static string WorkloadName(V1Pod pod)
    {
        var owner = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true) ?? pod.Metadata?.OwnerReferences?.FirstOrDefault();
        if (owner is not null)
        {
            // A Deployment's ReplicaSet is named DEPLOYMENT-HASH, the hash being the pod-template-hash label.
            if (owner.Kind == "ReplicaSet" && pod.Metadata?.Labels?.TryGetValue("pod-template-hash", out var hash) == true &&
                owner.Name.EndsWith("-" + hash, StringComparison.Ordinal))
            {
                return owner.Name[..^(hash.Length + 1)];
            }

            return owner.Name;
        }

        if (!string.IsNullOrEmpty(pod.Metadata?.Name))
        {
            return pod.Metadata.Name;
        }

        return pod.Metadata?.GenerateName?.TrimEnd('-') ?? "unknown";
    }

    public static string CanonicalName(V1Pod pod) =>
        Label(pod, MeshLabels.CanonicalNameLabel) ?? Label(pod, "app.kubernetes.io/name") ?? Label(pod, "app") ?? WorkloadName(pod);

    public static string CanonicalRevision(V1Pod pod) =>
        Label(pod, MeshLabels.CanonicalRevisionLabel) ?? Label(pod, "app.kubernetes.io/version") ?? Label(pod, "version") ?? "latest";

    private static string? Label(V1Pod pod, string key) =>
        pod.Metadata?.Labels?.TryGetValue(key, out var value) == true && !string.IsNullOrEmpty(value) ? value : null;
}
