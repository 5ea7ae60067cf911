using System.Collections.Immutable;
using System.Text.Json;
using ControlPlane.Mesh.Istio.Parsing;
using ControlPlane.Mesh.Kubernetes.Istio;
using ControlPlane.Mesh.Model;

namespace ControlPlane.Mesh.Kubernetes;

/// <summary>
/// Turns networking.istio.io objects (v1alpha3 or v1beta1, which share their schema in Istio 1.10),
/// and the control plane's own traffic kinds (<see cref="MeshTrafficKinds"/>, v1alpha1), into typed model objects, parsing and validating each spec once, here at the source. An invalid
/// object's error names it and lists its field errors (bounded, see <see cref="SpecReader"/>);
/// warnings (e.g. unknown fields, which a real API server would have pruned) come with a valid one.
/// </summary>
public static class IstioObjectTranslator
{
    private delegate TranslationResult Translator(ObjectKey key, DateTime? created, JsonElement? spec);

    private static readonly Dictionary<string, Translator> ByKind = new(StringComparer.Ordinal)
    {
        [MeshVirtualService.KindName] = (key, created, spec) => Result("VirtualService", key, VirtualServiceParser.Parse(spec, key.Namespace, key.Name), s => new MeshVirtualService(key, created, s)),
        [MeshDestinationRule.KindName] = (key, created, spec) => Result("DestinationRule", key, DestinationRuleParser.Parse(spec, key.Namespace, key.Name), s => new MeshDestinationRule(key, created, s)),
        [MeshServiceEntry.KindName] = (key, created, spec) => Result("ServiceEntry", key, ServiceEntryParser.Parse(spec, key.Namespace, key.Name), s => new MeshServiceEntry(key, created, s)),
        [MeshWorkloadEntry.KindName] = (key, created, spec) => Result("WorkloadEntry", key, WorkloadEntryParser.Parse(spec, key.Namespace, key.Name), s => new MeshWorkloadEntry(key, created, s)),
        [MeshGateway.KindName] = (key, created, spec) => Result("Gateway", key, GatewayParser.Parse(spec, key.Namespace, key.Name), s => new MeshGateway(key, created, s)),
        [MeshSidecar.KindName] = (key, created, spec) => Result("Sidecar", key, SidecarParser.Parse(spec, key.Namespace, key.Name), s => new MeshSidecar(key, created, s)),
    };

    private static readonly Dictionary<string, Translator> OwnKinds = new(StringComparer.Ordinal)
    {
        [MeshInterfaceOutlierDetection.KindName] = (key, created, spec) => Result(MeshInterfaceOutlierDetection.KindName, key, InterfaceOutlierDetectionParser.Parse(spec, key.Namespace, key.Name), s => new MeshInterfaceOutlierDetection(key, created, s)),
    };

    /// <summary>The API versions of networking.istio.io accepted for every kind.</summary>
    public static IReadOnlyList<string> ApiVersions { get; } = [$"{IstioKinds.Group}/v1alpha3", $"{IstioKinds.Group}/v1beta1"];

    public static TranslationResult Translate(IstioResource resource)
    {
        if (string.IsNullOrEmpty(resource.Metadata?.Name))
        {
            return TranslationResult.Invalid($"{resource.Kind}: metadata.name is required");
        }

        var kinds = resource.ApiVersion == MeshTrafficKinds.ApiVersion ? OwnKinds : ApiVersions.Contains(resource.ApiVersion, StringComparer.Ordinal) ? ByKind : null;
        if (kinds is null || !kinds.TryGetValue(resource.Kind, out var translate))
        {
            return TranslationResult.Invalid($"unsupported kind {resource.Kind} (apiVersion {resource.ApiVersion})");
        }

        var ns = string.IsNullOrEmpty(resource.Metadata.NamespaceProperty) ? "default" : resource.Metadata.NamespaceProperty;
        if ((KubernetesNames.Namespace(ns) ?? KubernetesNames.ObjectName(resource.Metadata.Name) ?? KubernetesNames.Labels(resource.Metadata.Labels, "metadata.labels")) is { } problem)
        {
            return TranslationResult.Invalid($"{resource.Kind} {KubernetesNames.Quote(ns)}/{KubernetesNames.Quote(resource.Metadata.Name)}: {problem}");
        }

        var key = new ObjectKey(ns, resource.Metadata.Name);
        var created = resource.Metadata.CreationTimestamp is { } time ? DateTime.SpecifyKind(time.ToUniversalTime(), DateTimeKind.Utc) : (DateTime?)null;
        return translate(key, created, resource.Spec);
    }

    private static TranslationResult Result<TSpec>(string kind, ObjectKey key, IstioParseResult<TSpec> parsed, Func<TSpec, MeshObject> create)
        where TSpec : class
    {
        var warnings = parsed.Warnings.Select(w => $"{kind} {key}: {w}").ToImmutableArray();
        return parsed.Spec is { } spec
            ? TranslationResult.Ok(create(spec)) with { Warnings = warnings }
            : TranslationResult.Invalid($"{kind} {key}: {string.Join("; ", parsed.Errors)}") with { Warnings = warnings };
    }
}
