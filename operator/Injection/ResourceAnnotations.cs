using k8s.Models;
using static ControlPlane.Operator.Injection.SidecarAnnotations;

namespace ControlPlane.Operator.Injection;

/// <summary>sidecar.istio.io/proxyCPU, proxyMemory, proxyCPULimit and proxyMemoryLimit.</summary>
public static class ResourceAnnotations
{
    /// <summary>Istio's template: any of the four annotations replaces the default resources of both containers.</summary>
    public static V1ResourceRequirements Read(Func<string, string?> get, V1ResourceRequirements defaults, AnnotationProblems problems)
    {
        Dictionary<string, ResourceQuantity>? Quantities(string cpuKey, string memoryKey)
        {
            var quantities = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
            foreach (var (key, resource) in new[] { (cpuKey, "cpu"), (memoryKey, "memory") })
            {
                if (get(key) is not { } value)
                {
                    continue;
                }

                if (AnnotationValues.IsQuantity(value))
                {
                    quantities[resource] = new ResourceQuantity(value);
                }
                else
                {
                    problems.Invalid(key, value, "expected a Kubernetes quantity such as 100m, 0.5, 128Mi or 1Gi");
                }
            }

            return quantities.Count > 0 ? quantities : null;
        }

        if (get(ProxyCpu) is null && get(ProxyMemory) is null && get(ProxyCpuLimit) is null && get(ProxyMemoryLimit) is null)
        {
            return defaults;
        }

        return new V1ResourceRequirements { Requests = Quantities(ProxyCpu, ProxyMemory), Limits = Quantities(ProxyCpuLimit, ProxyMemoryLimit) };
    }
}
