using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// Istio 1.10's rules for whether a pod gets a sidecar from this injector's revision, plus our choice
/// of proxy flavor. The namespace and object cases are those of Istio 1.10's MutatingWebhookConfiguration
/// (the chart registers the same ones), so a pod the API server sends here is injected:
/// a namespace label decides when there is one (<c>istio-injection=enabled</c> for the default
/// revision, <c>istio.io/rev=REVISION</c> without <c>istio-injection</c> for any revision); in a
/// namespace with neither, the pod's label <c>istio.io/rev=REVISION</c> decides, or, for the default
/// revision, <c>sidecar.istio.io/inject=true</c> on a pod without <c>istio.io/rev</c>.
/// </summary>
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
            return InjectionDecision.Skip($"pod sets {MeshLabels.InjectAnnotation}={AnnotationValues.Shown(podChoice)}");
        }

        if (SelectionProblem(pod, ns, namespaceMetadata, settings.Revision, podChoice is not null) is { } problem)
        {
            return InjectionDecision.Skip(problem);
        }

        var flavorValue = Value(pod.Metadata, MeshLabels.ProxyFlavorKey) ?? Value(namespaceMetadata, MeshLabels.ProxyFlavorKey);
        var flavor = settings.Flavor;
        if (flavorValue is not null && !ProxyFlavors.TryParse(flavorValue, out flavor))
        {
            return InjectionDecision.Refuse($"{MeshLabels.ProxyFlavorKey}={AnnotationValues.Shown(flavorValue)} is not a proxy flavor (envoy or mosn)");
        }

        return new InjectionDecision(true, true, $"injecting {flavor.Name()}", flavor);
    }

    /// <summary>Why this revision does not select the pod, or null when it does.</summary>
    private static string? SelectionProblem(V1Pod pod, string ns, V1ObjectMeta? namespaceMetadata, string revision, bool podAsks)
    {
        var namespaceLabels = namespaceMetadata?.Labels ?? new Dictionary<string, string>();
        if (namespaceLabels.TryGetValue(MeshLabels.InjectionNamespaceLabel, out var injection))
        {
            if (injection != "enabled")
            {
                return $"namespace {ns} has {MeshLabels.InjectionNamespaceLabel}={injection}";
            }

            return revision == DefaultRevision
                ? null
                : $"namespace {ns} has {MeshLabels.InjectionNamespaceLabel}=enabled, which selects the {DefaultRevision} revision, not {revision}";
        }

        if (namespaceLabels.TryGetValue(MeshLabels.RevisionLabel, out var namespaceRevision))
        {
            return namespaceRevision == revision
                ? null
                : $"namespace {ns} has {MeshLabels.RevisionLabel}={namespaceRevision}, not this injector's revision {revision}";
        }

        // Istio's object selectors see labels only.
        if (pod.Metadata?.Labels?.TryGetValue(MeshLabels.RevisionLabel, out var podRevision) == true)
        {
            return podRevision == revision
                ? null
                : $"pod has {MeshLabels.RevisionLabel}={podRevision}, not this injector's revision {revision}";
        }

        if (podAsks)
        {
            return revision == DefaultRevision
                ? null
                : $"pod sets {MeshLabels.InjectAnnotation} without {MeshLabels.RevisionLabel}, which selects the {DefaultRevision} revision, not {revision}";
        }

        return $"namespace {ns} is not enabled for injection ({MeshLabels.InjectionNamespaceLabel}=enabled or {MeshLabels.RevisionLabel}={revision}) " +
            $"and the pod does not ask for it ({MeshLabels.RevisionLabel}={revision}{(revision == DefaultRevision ? $" or {MeshLabels.InjectAnnotation}=true" : "")})";
    }

    private const string DefaultRevision = "default";

    /// <summary>Annotations win over labels, as in Istio (which reads the annotation; the webhook selector, the label).</summary>
    private static string? Value(V1ObjectMeta? metadata, string key) =>
        metadata?.Annotations?.TryGetValue(key, out var annotation) == true ? annotation
        : metadata?.Labels?.TryGetValue(key, out var label) == true ? label
        : null;
}
