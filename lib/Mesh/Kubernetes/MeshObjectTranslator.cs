using System.Collections.Immutable;
using System.Net;
using ControlPlane.Mesh.Kubernetes.Istio;
using ControlPlane.Mesh.Model;
using k8s;
using k8s.Models;

namespace ControlPlane.Mesh.Kubernetes;

/// <summary>
/// Validates Kubernetes objects and turns them into mesh model objects: Services, EndpointSlices,
/// Pods, and the Istio networking kinds (through <see cref="IstioObjectTranslator"/>).
/// </summary>
public sealed class MeshObjectTranslator
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public MeshObjectTranslator(string clusterDomain = "cluster.local")
    {
        ClusterDomain = clusterDomain;
    }

    public string ClusterDomain { get; }

    public TranslationResult Translate(IKubernetesObject obj) => obj switch
    {
        V1Service service => TranslateService(service),
        V1EndpointSlice slice => TranslateEndpointSlice(slice),
        V1Pod pod => TranslatePod(pod),
        IstioResource resource => IstioObjectTranslator.Translate(resource),
        _ => TranslationResult.Invalid($"unsupported kind {obj.Kind} (apiVersion {obj.ApiVersion})"),
    };

    private TranslationResult TranslateService(V1Service service)
    {
        if (!TryKey(service.Metadata, n => KubernetesNames.ServiceName(n), out var key, out var error))
        {
            return TranslationResult.Invalid($"Service: {error}");
        }

        var what = $"Service {key}";
        if (KubernetesNames.Labels(service.Spec?.Selector, "spec.selector") is { } selectorError)
        {
            return TranslationResult.Invalid($"{what}: {selectorError}");
        }

        var ports = ImmutableArray.CreateBuilder<MeshServicePort>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var port in service.Spec?.Ports ?? [])
        {
            var field = $"spec.ports[{index++}]";
            if (port.Port is < 1 or > 65535)
            {
                return TranslationResult.Invalid($"{what}: port {port.Port} is out of range 1-65535");
            }

            var name = port.Name ?? string.Empty;
            if (KubernetesNames.PortName(name, $"{field}.name") is { } nameError)
            {
                return TranslationResult.Invalid($"{what}: {nameError}");
            }

            if (!names.Add(name))
            {
                return TranslationResult.Invalid($"{what}: port name '{name}' is used twice");
            }

            var target = port.TargetPort?.Value;
            if (!string.IsNullOrEmpty(target) && !int.TryParse(target, out _) && KubernetesNames.IanaServiceName(target, $"{field}.targetPort") is { } targetError)
            {
                return TranslationResult.Invalid($"{what}: {targetError}");
            }

            ports.Add(new MeshServicePort(name, port.Port, string.IsNullOrEmpty(target) ? null : target, MeshProtocols.Infer(port.Port, port.Name, port.AppProtocol, port.Protocol)));
        }

        if (ports.Count > 1 && names.Contains(string.Empty))
        {
            return TranslationResult.Invalid($"{what}: every port must be named when there is more than one");
        }

        if (!TryServiceType(service.Spec?.Type, out var type))
        {
            return TranslationResult.Invalid($"{what}: type '{service.Spec?.Type}' is not one of ClusterIP, NodePort, LoadBalancer, ExternalName");
        }

        var clusterIp = service.Spec?.ClusterIP;
        if (string.IsNullOrEmpty(clusterIp) || clusterIp == "None")
        {
            clusterIp = null;
        }
        else if (!IPAddress.TryParse(clusterIp, out _))
        {
            return TranslationResult.Invalid($"{what}: clusterIP '{clusterIp}' is not an IP address");
        }

        string? externalName = null;
        if (type == MeshServiceType.ExternalName)
        {
            // Kubernetes' own validation: an ExternalName service has a DNS name and no cluster IP.
            externalName = service.Spec?.ExternalName?.TrimEnd('.');
            if (string.IsNullOrEmpty(externalName) || !IsDnsSubdomain(externalName))
            {
                return TranslationResult.Invalid($"{what}: type ExternalName needs externalName to be a DNS name (lowercase labels of letters, digits and '-', at most 253 characters)");
            }

            if (clusterIp is not null)
            {
                return TranslationResult.Invalid($"{what}: type ExternalName must not have a clusterIP");
            }
        }

        var selector = (service.Spec?.Selector ?? new Dictionary<string, string>()).ToImmutableSortedDictionary(StringComparer.Ordinal);
        var hostname = $"{key.Name}.{key.Namespace}.svc.{ClusterDomain}";
        return TranslationResult.Ok(new MeshService(key, hostname, clusterIp, ports.ToImmutable(), selector, type, externalName));
    }

    /// <summary>An absent type is ClusterIP, as the API server defaults it.</summary>
    private static bool TryServiceType(string? value, out MeshServiceType type)
    {
        type = MeshServiceType.ClusterIP;
        return string.IsNullOrEmpty(value) || (Enum.GetNames<MeshServiceType>().Contains(value, StringComparer.Ordinal) && Enum.TryParse(value, out type));
    }

    /// <summary>RFC 1123 subdomain, as Kubernetes validates spec.externalName.</summary>
    private static bool IsDnsSubdomain(string name)
    {
        if (name.Length > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' ||
                !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static TranslationResult TranslateEndpointSlice(V1EndpointSlice slice)
    {
        if (!TryKey(slice.Metadata, n => KubernetesNames.ObjectName(n), out var key, out var error))
        {
            return TranslationResult.Invalid($"EndpointSlice: {error}");
        }

        var what = $"EndpointSlice {key}";
        if (slice.Metadata.Labels is null || !slice.Metadata.Labels.TryGetValue(ServiceNameLabel, out var serviceName) || string.IsNullOrEmpty(serviceName))
        {
            return TranslationResult.Invalid($"{what}: label {ServiceNameLabel} is required to tie it to a Service");
        }

        if (KubernetesNames.ServiceName(serviceName, $"metadata.labels[{ServiceNameLabel}]") is { } serviceError)
        {
            return TranslationResult.Invalid($"{what}: {serviceError}");
        }

        if (slice.AddressType is not ("IPv4" or "IPv6"))
        {
            return TranslationResult.Invalid($"{what}: addressType '{slice.AddressType}' is not supported (IPv4 or IPv6)");
        }

        var ports = ImmutableArray.CreateBuilder<SlicePort>();
        foreach (var port in slice.Ports ?? [])
        {
            if (port.Port is not (>= 1 and <= 65535))
            {
                return TranslationResult.Invalid($"{what}: port '{port.Name}' has number {port.Port?.ToString() ?? "(none)"}, outside 1-65535");
            }

            if (KubernetesNames.PortName(port.Name ?? string.Empty, $"ports[{ports.Count}].name") is { } portError)
            {
                return TranslationResult.Invalid($"{what}: {portError}");
            }

            ports.Add(new SlicePort(port.Name ?? string.Empty, port.Port.Value));
        }

        var endpoints = ImmutableArray.CreateBuilder<SliceEndpoint>();
        foreach (var endpoint in slice.Endpoints ?? [])
        {
            var addresses = endpoint.Addresses ?? [];
            if (addresses.Count == 0)
            {
                return TranslationResult.Invalid($"{what}: an endpoint has no addresses");
            }

            foreach (var address in addresses)
            {
                if (KubernetesNames.SliceAddress(address, slice.AddressType, $"endpoints[{endpoints.Count}].addresses") is { } addressError)
                {
                    return TranslationResult.Invalid($"{what}: {addressError}");
                }
            }

            // Kubernetes: an unknown ready condition is to be read as ready.
            var ready = endpoint.Conditions?.Ready ?? true;
            var pod = endpoint.TargetRef?.Kind == "Pod" ? endpoint.TargetRef.Name : null;
            endpoints.Add(new SliceEndpoint(addresses.ToImmutableArray(), ready, endpoint.Zone ?? string.Empty, endpoint.NodeName, pod));
        }

        return TranslationResult.Ok(new MeshEndpointSlice(key, serviceName, ports.ToImmutable(), endpoints.ToImmutable()));
    }

    /// <summary>A Pod's labels, IPs (status.podIPs, else status.podIP; a pod without an IP yet has none) and readiness.</summary>
    private static TranslationResult TranslatePod(V1Pod pod)
    {
        if (!TryKey(pod.Metadata, n => KubernetesNames.ObjectName(n), out var key, out var error))
        {
            return TranslationResult.Invalid($"Pod: {error}");
        }

        var ips = pod.Status?.PodIPs is { Count: > 0 } podIps
            ? podIps.Select(ip => ip.Ip).Where(ip => !string.IsNullOrEmpty(ip)).ToImmutableArray()
            : string.IsNullOrEmpty(pod.Status?.PodIP) ? ImmutableArray<string>.Empty : [pod.Status.PodIP];
        var labels = ValueMap<string>.From(pod.Metadata.Labels ?? new Dictionary<string, string>());
        return TranslationResult.Ok(new MeshPod(key, labels, ips, IsReady(pod)));
    }

    /// <summary>istiod 1.10's pod cache: Pending or Running, not deleting, and the Ready condition True.</summary>
    private static bool IsReady(V1Pod pod) =>
        pod.Status?.Phase is "Pending" or "Running" && pod.Metadata.DeletionTimestamp is null &&
        pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>
    /// The object's namespace and name, checked as the API server checks them (the namespace an RFC
    /// 1123 label, the name by <paramref name="nameRule"/>), and its labels.
    /// </summary>
    private static bool TryKey(V1ObjectMeta? metadata, Func<string, string?> nameRule, out ObjectKey key, out string error)
    {
        key = default;
        error = string.Empty;
        if (string.IsNullOrEmpty(metadata?.Name))
        {
            error = "metadata.name is required";
            return false;
        }

        var ns = string.IsNullOrEmpty(metadata.NamespaceProperty) ? "default" : metadata.NamespaceProperty;
        var problem = KubernetesNames.Namespace(ns) ?? nameRule(metadata.Name) ?? KubernetesNames.Labels(metadata.Labels, "metadata.labels");
        if (problem is not null)
        {
            error = $"{KubernetesNames.Quote(ns)}/{KubernetesNames.Quote(metadata.Name)}: {problem}";
            return false;
        }

        key = new ObjectKey(ns, metadata.Name);
        return true;
    }
}
