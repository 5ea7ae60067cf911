using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;
using Envoy.Config.Endpoint.V3;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// Locality-aware load balancing as istiod 1.10 applies it to an assignment, relative to the
/// locality of the proxy it is for (pilot/pkg/networking/core/v1alpha3/loadbalancer): distribute
/// sets locality weights; otherwise, when outlier detection is on, endpoints get priorities by how
/// close their locality is, with failover choosing the region to fall back to.
/// </summary>
internal static class LocalityLoadBalancing
{
    /// <summary>meshConfig.localityLbSetting as istiod 1.10 defaults it: enabled, nothing else.</summary>
    public static readonly LocalityLoadBalancerSetting MeshDefault = new(ValueList<LocalityDistribute>.Empty, ValueList<LocalityFailover>.Empty, true);

    /// <summary>
    /// istiod's GetLocalityLbSetting: the rule's setting unless it says enabled: false (then none),
    /// else the mesh's (<see cref="MeshDefault"/>).
    /// </summary>
    public static LocalityLoadBalancerSetting? Effective(LocalityLoadBalancerSetting? rule) =>
        rule is null ? MeshDefault : rule.Enabled == false ? null : rule;

    /// <summary>
    /// Whether applying <paramref name="setting"/> can change an assignment: it distributes, or it
    /// fails over (outlier detection on and the setting not disabled).
    /// </summary>
    public static bool HasEffect(LocalityLoadBalancerSetting setting, bool failoverEnabled) =>
        !setting.Distribute.IsEmpty || (failoverEnabled && setting.Enabled != false);

    /// <summary>
    /// istiod's ApplyLocalityLBSetting on <paramref name="assignment"/> (changed in place): the
    /// first distribute entry whose <c>from</c> matches the proxy's locality sets each matching
    /// locality's weight to its share of the entry's weight (rounded up) and empties localities no
    /// entry names; with no distribute and <paramref name="failoverEnabled"/>, priorities: 0 for
    /// the proxy's own subzone, 1 its zone, 2 its region, 3 elsewhere (4 for regions other than a
    /// failover <c>to</c> of the proxy's region), renumbered without gaps.
    /// </summary>
    public static void Apply(LocalityLabel proxy, ClusterLoadAssignment assignment, LocalityLoadBalancerSetting setting, bool failoverEnabled)
    {
        if (!setting.Distribute.IsEmpty)
        {
            ApplyWeights(proxy, assignment, setting.Distribute);
        }
        else if (failoverEnabled && setting.Enabled != false)
        {
            ApplyFailover(proxy, assignment, setting.Failover);
        }
    }

    /// <summary>istiod's LocalityMatch: each part of <paramref name="rule"/> equal, '*', or (zone, subzone) absent.</summary>
    public static bool Matches(LocalityLabel locality, string rule)
    {
        var parts = rule.Split('/');
        var (region, zone, subZone) = (parts[0], parts.Length > 1 ? parts[1] : "", parts.Length > 2 ? parts[2] : "");
        return (region == "*" || locality.Region == region) &&
            (zone is "*" or "" || locality.Zone == zone) &&
            (subZone is "*" or "" || locality.SubZone == subZone);
    }

    private static void ApplyWeights(LocalityLabel proxy, ClusterLoadAssignment assignment, ValueList<LocalityDistribute> distribute)
    {
        foreach (var entry in distribute)
        {
            if (!Matches(proxy, entry.From))
            {
                continue;
            }

            var unmatched = Enumerable.Range(0, assignment.Endpoints.Count).ToHashSet();
            // istiod walks a Go map here (random order); overlapping targets are taken in key order instead.
            foreach (var (target, weight) in entry.To)
            {
                var matched = new List<(int Index, uint Weight)>();
                ulong total = 0;
                for (var i = 0; i < assignment.Endpoints.Count; i++)
                {
                    var group = assignment.Endpoints[i];
                    if (unmatched.Contains(i) && Matches(LocalityLabel.FromEnvoy(group.Locality), target))
                    {
                        unmatched.Remove(i);
                        var original = group.LoadBalancingWeight ?? 1;
                        matched.Add((i, original));
                        total += original;
                    }
                }

                foreach (var (index, original) in matched)
                {
                    // Go computes original*weight in uint32 before dividing.
                    var share = (double)unchecked(original * weight) / total;
                    if (share > 0)
                    {
                        assignment.Endpoints[index].LoadBalancingWeight = (uint)Math.Ceiling(share);
                    }
                }
            }

            foreach (var index in unmatched)
            {
                assignment.Endpoints[index].LbEndpoints.Clear();
            }

            break;
        }
    }

    private static void ApplyFailover(LocalityLabel proxy, ClusterLoadAssignment assignment, ValueList<LocalityFailover> failover)
    {
        var priorities = new int[assignment.Endpoints.Count];
        for (var i = 0; i < priorities.Length; i++)
        {
            var locality = LocalityLabel.FromEnvoy(assignment.Endpoints[i].Locality);
            var priority = locality.Region != proxy.Region ? 3 : locality.Zone != proxy.Zone ? 2 : locality.SubZone != proxy.SubZone ? 1 : 0;
            if (priority == 3)
            {
                foreach (var setting in failover)
                {
                    if (setting.From == proxy.Region)
                    {
                        if (locality.Region != setting.To)
                        {
                            priority = 4;
                        }

                        break;
                    }
                }
            }

            priorities[i] = priority;
        }

        // Priorities must run from 0 without gaps.
        var ranks = priorities.Distinct().Order().Select((priority, rank) => (priority, rank)).ToDictionary(p => p.priority, p => p.rank);
        for (var i = 0; i < priorities.Length; i++)
        {
            assignment.Endpoints[i].Priority = (uint)ranks[priorities[i]];
        }
    }
}
