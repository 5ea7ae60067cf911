using k8s.Models;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>One permission: a verb on a resource of an API group, optionally of one named object.
/// A PolicyRule grants the cross product of its lists, so comparing flattened sets compares what is granted.</summary>
public sealed record RbacRule(string ApiGroup, string Resource, string Verb, string? ResourceName = null)
{
    public static IReadOnlyList<RbacRule> Flatten(IEnumerable<V1PolicyRule> rules) =>
        rules.SelectMany(rule =>
                from apiGroup in rule.ApiGroups ?? []
                from resource in rule.Resources ?? []
                from verb in rule.Verbs ?? []
                from name in rule.ResourceNames is { Count: > 0 } names ? names.Select(n => (string?)n) : [null]
                select new RbacRule(apiGroup, resource, verb, name))
            .ToList();

    /// <summary>Every combination of the given groups, resources and verbs, as a rule would list them.</summary>
    public static IEnumerable<RbacRule> Grant(
        string apiGroup, IEnumerable<string> resources, IEnumerable<string> verbs, string? resourceName = null) =>
        from resource in resources
        from verb in verbs
        select new RbacRule(apiGroup, resource, verb, resourceName);
}
