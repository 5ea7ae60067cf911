using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>Istio 1.10's validateLocalityLbSetting: distribute weights, failover regions, non-overlapping localities.</summary>
internal static class LocalitySettings
{
    /// <returns>Null when valid, else the first problem, as Istio reports only one.</returns>
    public static string? Check(LocalityLoadBalancerSetting setting)
    {
        if (!setting.Distribute.IsEmpty && !setting.Failover.IsEmpty)
        {
            return "can not simultaneously specify 'distribute' and 'failover'";
        }

        foreach (var distribute in setting.Distribute)
        {
            long total = 0;
            foreach (var weight in distribute.To.Values)
            {
                if (weight == 0)
                {
                    return "locality weight must be in range [1, 100]";
                }

                total += weight;
            }

            if (total != 100)
            {
                return $"total locality weight {total} != 100";
            }

            if (Overlaps(distribute.To.Keys) is { } error)
            {
                return error;
            }
        }

        if (Overlaps(setting.Distribute.Select(d => d.From)) is { } sourceError)
        {
            return sourceError;
        }

        foreach (var failover in setting.Failover)
        {
            if (failover.From == failover.To)
            {
                return "locality lb failover settings must specify different regions";
            }

            if (failover.To.Contains('*', StringComparison.Ordinal))
            {
                return "locality lb failover region should not contain '*' wildcard";
            }
        }

        return null;
    }

    /// <summary>Localities are region[/zone[/subzone]] with at most one '*', at the end; none may cover another.</summary>
    private static string? Overlaps(IEnumerable<string> localities)
    {
        var seen = new List<string[]>();
        foreach (var locality in localities)
        {
            var stars = locality.Count(c => c == '*');
            if (stars > 1 || (stars == 1 && !locality.EndsWith('*')))
            {
                return $"locality {SpecReader.Quote(locality)} wildcard '*' number can not exceed 1 and must be in the end";
            }

            var items = locality.Split('/', 3);
            if (items.Any(i => i.Length == 0))
            {
                return $"locality {SpecReader.Quote(locality)} must not contain empty region/zone/subzone info";
            }

            // Each locality stands for itself and everything under it; "*" for everything.
            if (seen.Any(other => Covers(other, items) || Covers(items, other)))
            {
                return $"locality {SpecReader.Quote(locality)} overlap with previous specified ones";
            }

            seen.Add(items);
        }

        return null;
    }

    private static bool Covers(string[] a, string[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] == "*")
            {
                return true;
            }

            if (i >= b.Length || a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }
}
