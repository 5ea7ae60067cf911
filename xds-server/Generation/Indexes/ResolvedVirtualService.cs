using System.Collections.Immutable;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// A VirtualService as istiod 1.10 uses it: short names resolved in its namespace (hosts,
/// destination and mirror hosts to FQDNs, gateways to namespace/name) and, for a root, its
/// delegating rules replaced by the delegates' rules merged into them. The same instance is handed
/// out for as long as <see cref="Source"/> and <see cref="Delegates"/> are the same instances, so
/// generation can memoize by it.
/// </summary>
/// <param name="Source">The VirtualService as read.</param>
/// <param name="Spec">The resolved (and merged) spec.</param>
/// <param name="Delegates">The delegates merged in, in rule order; empty unless a root.</param>
public sealed record ResolvedVirtualService(MeshVirtualService Source, VirtualService Spec, ImmutableArray<MeshVirtualService> Delegates)
{
    // Not copied meaningfully by `with`: ResolvedVirtualServices are only made by the index, with new.
    private int _hash;

    public ObjectKey Key => Source.Key;

    /// <summary>
    /// The record's value hash, worked out once: it walks the whole spec, and the index's lookups
    /// and generation's sets of VirtualServices asked for it thousands of times per push.
    /// </summary>
    public override int GetHashCode()
    {
        var hash = _hash;
        if (hash == 0)
        {
            hash = HashCode.Combine(Source, Spec, Delegates);
            _hash = hash == 0 ? 1 : hash;
        }

        return _hash;
    }

    /// <summary>Value equality as a record's (source, spec, delegates), checking the cached hashes first.</summary>
    public bool Equals(ResolvedVirtualService? other) =>
        ReferenceEquals(this, other) ||
        (other is not null && GetHashCode() == other.GetHashCode() && Source.Equals(other.Source) && Spec.Equals(other.Spec) && Delegates.Equals(other.Delegates));

    /// <summary>Gateway names it is bound to, resolved; <c>mesh</c> (sidecars) when it names none.</summary>
    public IEnumerable<string> GatewayNames => Spec.Gateways.IsEmpty ? [VirtualServiceNames.MeshGateway] : Spec.Gateways;
}
