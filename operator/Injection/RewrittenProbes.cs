using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>An application container's probes after rewriting; null where the probe stays as it is.</summary>
/// <param name="ContainerIndex">Index in the pod's spec.containers.</param>
public sealed record RewrittenProbes(int ContainerIndex, V1Probe? Readiness, V1Probe? Liveness, V1Probe? Startup);
