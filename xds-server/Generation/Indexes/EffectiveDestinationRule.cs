using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// The DestinationRule that applies to a host, as istiod 1.10 merges the rules for one host of one
/// namespace (mergeDestinationRule): the oldest rule's traffic policy (or the first later one that
/// has one), and the subsets of all of them, a name taken by an older rule not added again. The same
/// instance is handed out while the rules it was made of are the same instances.
/// </summary>
/// <param name="Host">The rule's host, short name resolved in its namespace (may be a wildcard).</param>
/// <param name="Rules">The rules merged, oldest first; the first is the one istiod reports (its metadata).</param>
/// <param name="Spec">The merged spec (host resolved).</param>
/// <param name="ExportTo">The first non-empty exportTo among the rules, as istiod keeps it; empty means everywhere.</param>
public sealed record EffectiveDestinationRule(string Host, ImmutableArray<MeshDestinationRule> Rules, DestinationRule Spec, ValueList<string> ExportTo)
{
    public MeshDestinationRule Source => Rules[0];

    /// <summary>The subset named <paramref name="name"/>, or null (then routes to it have no endpoints).</summary>
    public Subset? FindSubset(string name) => Spec.Subsets.FirstOrDefault(s => s.Name == name);
}
