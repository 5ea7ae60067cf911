using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Ejection;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// The InterfaceOutlierDetection in effect for one host (and port): its interfaces in match order.
/// The same instance while its object is, so builders may pass it to <see cref="InputMemo{TKey,TValue}"/> as an input.
/// </summary>
/// <param name="Source">The object it comes from.</param>
/// <param name="Host">The object's host, short names resolved in its namespace.</param>
/// <param name="Subsets">The subsets whose clusters get interface clusters; empty: the host's own cluster and every subset's.</param>
public sealed record InterfacePolicy(MeshInterfaceOutlierDetection Source, string Host, ImmutableHashSet<string> Subsets, ImmutableArray<OutlierInterface> Interfaces)
{
    /// <summary>Whether the cluster of <paramref name="subset"/> (null: the host's own cluster) gets interface clusters.</summary>
    public bool AppliesTo(string? subset) => Subsets.IsEmpty || (subset is not null && Subsets.Contains(subset));

    public bool Equals(InterfacePolicy? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
