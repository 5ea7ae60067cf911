namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A named group of a host's endpoints: those whose workload labels include all of <see cref="Labels"/>.</summary>
/// <param name="Name">A DNS label; part of cluster names (outbound|port|subset|host).</param>
/// <param name="TrafficPolicy">Overrides the rule's policy for this subset.</param>
public sealed record Subset(
    string Name,
    ValueMap<string> Labels,
    TrafficPolicy? TrafficPolicy);
