using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>Istio 1.10's rules for whether a pod gets a sidecar, plus our choice of proxy flavor.</summary>
public static class InjectionPolicy
{
    private static readonly HashSet<string> Yes = new(StringComparer.OrdinalIgnoreCase) { "y", "yes", "true", "on" };

    /// <param name="namespaceMetadata">The pod's namespace (labels and annotations); null when it cannot be found.</param>
    public static InjectionDecision Decide(V1Pod pod, string ns, V1ObjectMeta? namespaceMetadata, InjectionSettings settings)
    {
        if (pod.Spec?.HostNetwork == true)
        {
            return InjectionDecision.Skip("pod uses hostNetwork");
        }

        if (MeshLabels.IgnoredNamespaces.Contains(ns))
        {
            return InjectionDecision.Skip($"namespace {ns} is never injected");
        }

        if (pod.Metadata?.Annotations?.ContainsKey(MeshLabels.StatusAnnotation) == true ||
            pod.Spec?.Containers?.Any(c => c.Name == MeshLabels.ProxyContainerName) == true)
        {
            return InjectionDecision.Skip("pod already has a sidecar");
        }

        var podChoice = Value(pod.Metadata, MeshLabels.InjectAnnotation);
        if (podChoice is not null && !Yes.Contains(podChoice))
        {
            return InjectionDecision.Skip($"pod sets {MeshLabels.InjectAnnotation}={podChoice}");
        }

        var namespaceLabels = namespaceMetadata?.Labels ?? new Dictionary<string, string>();
        var selected = namespaceLabels.TryGetValue(MeshLabels.InjectionNamespaceLabel, out var injection)
            ? injection == "enabled"
            : namespaceLabels.TryGetValue(MeshLabels.RevisionLabel, out var revision)
                ? revision == settings.Revision
                : podChoice is not null;
        if (!selected)
        {
            return InjectionDecision.Skip(injection is not null
                ? $"namespace {ns} has {MeshLabels.InjectionNamespaceLabel}={injection}"
                : $"namespace {ns} is not enabled for injection ({MeshLabels.InjectionNamespaceLabel}=enabled or {MeshLabels.RevisionLabel}={settings.Revision}) and the pod does not ask for it");
        }

        var flavorValue = Value(pod.Metadata, MeshLabels.ProxyFlavorKey) ?? Value(namespaceMetadata, MeshLabels.ProxyFlavorKey);
        var flavor = settings.Flavor;
        if (flavorValue is not null && !ProxyFlavors.TryParse(flavorValue, out flavor))
        {
            return InjectionDecision.Refuse($"{MeshLabels.ProxyFlavorKey}={flavorValue} is not a proxy flavor (envoy or mosn)");
        }

        return new InjectionDecision(true, true, $"injecting {flavor.Name()}", flavor);
    }

    /// <summary>Annotations win over labels, as in Istio (which reads the annotation; the webhook selector, the label).</summary>
    private static string? Value(V1ObjectMeta? metadata, string key) =>
        metadata?.Annotations?.TryGetValue(key, out var annotation) == true ? annotation
        : metadata?.Labels?.TryGetValue(key, out var label) == true ? label
        : null;
}
