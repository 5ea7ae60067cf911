namespace ControlPlane.Mesh.Istio;

/// <summary>
/// Host names as Istio 1.10 compares them (pkg/config/host): a name starting with '*' is a
/// wildcard standing for any prefix; "*" matches everything.
/// </summary>
public static class HostName
{
    public static bool IsWildcard(string host) => host.Length > 0 && host[0] == '*';

    /// <summary>Whether the two names have a host in common (Istio's <c>Name.Matches</c>, symmetric).</summary>
    public static bool Matches(string a, string b)
    {
        if (IsWildcard(a))
        {
            if (IsWildcard(b))
            {
                return a.Length < b.Length ? b[1..].EndsWith(a[1..], StringComparison.Ordinal) : a[1..].EndsWith(b[1..], StringComparison.Ordinal);
            }

            return b.EndsWith(a[1..], StringComparison.Ordinal);
        }

        return IsWildcard(b) ? a.EndsWith(b[1..], StringComparison.Ordinal) : a == b;
    }

    /// <summary>Whether every host <paramref name="name"/> stands for is also one of <paramref name="of"/>'s (Istio's <c>Name.SubsetOf</c>).</summary>
    public static bool SubsetOf(string name, string of)
    {
        if (IsWildcard(name))
        {
            return IsWildcard(of) && name.Length >= of.Length && name[1..].EndsWith(of[1..], StringComparison.Ordinal);
        }

        return IsWildcard(of) ? name.EndsWith(of[1..], StringComparison.Ordinal) : name == of;
    }

    /// <summary>
    /// istiod 1.10's <c>ResolveShortnameToFQDN</c>: a name without a dot (not "*", not an IP) is a
    /// Kubernetes service of <paramref name="objectNamespace"/>, e.g. reviews becomes
    /// reviews.bookinfo.svc.cluster.local; anything else stays as written.
    /// </summary>
    public static string ResolveShortName(string host, string objectNamespace, string clusterDomain)
    {
        if (host == "*" || host.Contains('.', StringComparison.Ordinal) || System.Net.IPAddress.TryParse(host, out _) && host.Contains(':', StringComparison.Ordinal))
        {
            return host;
        }

        return $"{host}.{objectNamespace}.svc.{clusterDomain}";
    }

    /// <summary>
    /// Istio's host.Names order, most specific first: non-wildcards before wildcards, then longer
    /// before shorter, then ordinal.
    /// </summary>
    public static int CompareSpecificity(string a, string b)
    {
        var aWildcard = IsWildcard(a);
        var bWildcard = IsWildcard(b);
        if (aWildcard != bWildcard)
        {
            return aWildcard ? 1 : -1;
        }

        return a.Length != b.Length ? b.Length.CompareTo(a.Length) : string.CompareOrdinal(a, b);
    }

    /// <summary>
    /// istiod 1.10's <c>MostSpecificHostMatch</c>: <paramref name="needle"/> itself when listed,
    /// else the first wildcard of <paramref name="ordered"/> (ordered by <see cref="CompareSpecificity"/>)
    /// that covers it; null when none does.
    /// </summary>
    public static string? MostSpecificMatch(string needle, IReadOnlyCollection<string> ordered)
    {
        if (ordered.Contains(needle))
        {
            return needle;
        }

        foreach (var candidate in ordered)
        {
            if (!IsWildcard(candidate))
            {
                continue;
            }

            if (IsWildcard(needle))
            {
                if (needle.Length >= candidate.Length && needle[1..].EndsWith(candidate[1..], StringComparison.Ordinal))
                {
                    return candidate;
                }
            }
            else if (needle.EndsWith(candidate[1..], StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        return null;
    }
}
