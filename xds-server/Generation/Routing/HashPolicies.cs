using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Generation.Indexes;
using Google.Protobuf.WellKnownTypes;
using HashPolicy = Envoy.Config.Route.V3.RouteAction.Types.HashPolicy;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// The route-level hash policy that goes with a DestinationRule's consistentHash load balancer (the
/// cluster side, RING_HASH, is the cluster builder's), as istiod 1.10's getHashPolicy and
/// getHashPolicyByService choose it.
/// </summary>
public static class HashPolicies
{
    /// <summary>
    /// For a VirtualService destination: the rule's consistentHash, replaced by (in rising priority)
    /// the port-level one for the destination's explicit port, the subset's, and the subset's
    /// port-level one for that port. Null when none applies.
    /// </summary>
    public static HashPolicy? ForDestination(EffectiveDestinationRule? rule, Destination destination)
    {
        if (rule is null)
        {
            return null;
        }

        var policy = rule.Spec.TrafficPolicy;
        var hash = policy?.LoadBalancer?.ConsistentHash;
        var portHash = PortLevel(destination, policy);
        ConsistentHashLb? subsetHash = null;
        ConsistentHashLb? subsetPortHash = null;
        if (rule.FindSubset(destination.Subset ?? string.Empty) is { } subset)
        {
            subsetHash = subset.TrafficPolicy?.LoadBalancer?.ConsistentHash;
            subsetPortHash = PortLevel(destination, subset.TrafficPolicy);
        }

        return Translate(subsetPortHash ?? subsetHash ?? portHash ?? hash);
    }

    /// <summary>
    /// For a service's default route: the rule's consistentHash, or, when the rule has port-level
    /// settings for <paramref name="port"/>, theirs (none there means no hashing).
    /// </summary>
    public static HashPolicy? ForService(EffectiveDestinationRule? rule, int port)
    {
        var policy = rule?.Spec.TrafficPolicy;
        if (policy is null)
        {
            return null;
        }

        var hash = policy.LoadBalancer?.ConsistentHash;
        foreach (var setting in policy.PortLevelSettings)
        {
            if (setting.Port is { } selector && selector.Number == port)
            {
                hash = setting.LoadBalancer?.ConsistentHash;
                break;
            }
        }

        return Translate(hash);
    }

    /// <summary>Header, cookie (name, path, TTL), source IP or query parameter; null when no key is set.</summary>
    public static HashPolicy? Translate(ConsistentHashLb? hash)
    {
        if (hash is null)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(hash.HttpHeaderName))
        {
            return new HashPolicy { Header = new HashPolicy.Types.Header { HeaderName = hash.HttpHeaderName } };
        }

        if (hash.HttpCookie is { } cookie)
        {
            var output = new HashPolicy.Types.Cookie { Name = cookie.Name, Path = cookie.Path ?? string.Empty };
            if (cookie.Ttl is { } ttl)
            {
                output.Ttl = Duration.FromTimeSpan(ttl);
            }

            return new HashPolicy { Cookie = output };
        }

        if (hash.UseSourceIp)
        {
            return new HashPolicy { ConnectionProperties = new HashPolicy.Types.ConnectionProperties { SourceIp = true } };
        }

        if (!string.IsNullOrEmpty(hash.HttpQueryParameterName))
        {
            return new HashPolicy { QueryParameter = new HashPolicy.Types.QueryParameter { Name = hash.HttpQueryParameterName } };
        }

        return null;
    }

    /// <summary>The consistentHash of the port-level setting for the destination's explicit port, if any.</summary>
    private static ConsistentHashLb? PortLevel(Destination destination, TrafficPolicy? policy)
    {
        if (destination.Port is not { } port || policy is null)
        {
            return null;
        }

        foreach (var setting in policy.PortLevelSettings)
        {
            if (setting.Port is { } selector && selector.Number == port.Number)
            {
                return setting.LoadBalancer?.ConsistentHash;
            }
        }

        return null;
    }
}
