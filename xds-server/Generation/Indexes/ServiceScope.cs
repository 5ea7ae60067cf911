using System.Collections.Immutable;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// The services proxies of some namespace see, in istiod's order (see
/// <see cref="ServiceIndex.ScopeOf"/>). Every namespace that sees exactly the public services shares
/// one scope, so their listeners and routes are planned and built once.
/// </summary>
/// <param name="Key">"*" for the shared scope of the public services; else the namespace it was made for.</param>
/// <param name="Services">Private to the namespace first, then exported to it by name, then public; in each, Kubernetes Services by host name, then ServiceEntry hosts oldest first.</param>
public sealed record ServiceScope(string Key, ImmutableArray<HostService> Services)
{
    /// <summary>The key of the scope namespaces share when they see only public services.</summary>
    public const string PublicKey = "*";

    // Identity is what generation memoizes by.
    public bool Equals(ServiceScope? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
