using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// istiod 1.10's merging of a root VirtualService's delegating rule with its delegate's rules
/// (mergeHTTPRoutes): each delegate rule is kept with the root rule's matches combined into its own
/// (a delegate rule whose matches conflict with all of the root's is dropped), its name prefixed with
/// the root rule's, and the root rule's settings filling what the delegate rule leaves unset.
/// </summary>
public static class DelegateMerge
{
    public static IEnumerable<HttpRoute> Merge(HttpRoute root, ValueList<HttpRoute> delegateRoutes)
    {
        foreach (var route in delegateRoutes)
        {
            if (MergeRoute(root, route) is { } merged)
            {
                yield return merged;
            }
        }
    }

    private static HttpRoute? MergeRoute(HttpRoute root, HttpRoute leaf)
    {
        var (matches, conflict) = MergeMatches(root.Match, leaf.Match);
        if (conflict)
        {
            return null;
        }

        return leaf with
        {
            Match = matches,
            Name = CombineNames(root.Name, leaf.Name),
            Rewrite = leaf.Rewrite ?? root.Rewrite,
            Timeout = leaf.Timeout ?? root.Timeout,
            Retries = leaf.Retries ?? root.Retries,
            Fault = leaf.Fault ?? root.Fault,
            Mirror = leaf.Mirror ?? root.Mirror,
            MirrorPercent = leaf.MirrorPercent ?? root.MirrorPercent,
            MirrorPercentage = leaf.MirrorPercentage ?? root.MirrorPercentage,
            CorsPolicy = leaf.CorsPolicy ?? root.CorsPolicy,
            Headers = leaf.Headers ?? root.Headers,
        };
    }

    /// <summary>Empty name: the other one; both set: "root-leaf".</summary>
    private static string? CombineNames(string? root, string? leaf) =>
        string.IsNullOrEmpty(leaf) ? root : string.IsNullOrEmpty(root) ? leaf : $"{root}-{leaf}";

    private static (ValueList<HttpMatchRequest> Matches, bool Conflict) MergeMatches(ValueList<HttpMatchRequest> root, ValueList<HttpMatchRequest> leaf)
    {
        if (root.IsEmpty)
        {
            return (leaf, false);
        }

        if (leaf.IsEmpty)
        {
            return (root, false);
        }

        var merged = new List<HttpMatchRequest>();
        foreach (var leafMatch in leaf)
        {
            var found = false;
            foreach (var rootMatch in root)
            {
                if (HasConflict(rootMatch, leafMatch))
                {
                    continue;
                }

                merged.Add(MergeMatch(rootMatch, leafMatch));
                found = true;
            }

            if (!found)
            {
                return (ValueList<HttpMatchRequest>.Empty, true);
            }
        }

        return (ValueList<HttpMatchRequest>.From(merged), merged.Count == 0);
    }

    private static HttpMatchRequest MergeMatch(HttpMatchRequest root, HttpMatchRequest leaf) => leaf with
    {
        Name = CombineNames(root.Name, leaf.Name),
        Uri = leaf.Uri ?? root.Uri,
        Scheme = leaf.Scheme ?? root.Scheme,
        Method = leaf.Method ?? root.Method,
        Authority = leaf.Authority ?? root.Authority,
        Headers = root.Headers.SetItems(leaf.Headers),
        WithoutHeaders = root.WithoutHeaders.SetItems(leaf.WithoutHeaders),
        QueryParams = root.QueryParams.SetItems(leaf.QueryParams),
        Port = leaf.Port != 0 ? leaf.Port : root.Port,
        SourceLabels = root.SourceLabels.SetItems(leaf.SourceLabels),
        SourceNamespace = string.IsNullOrEmpty(leaf.SourceNamespace) ? root.SourceNamespace : leaf.SourceNamespace,
        Gateways = leaf.Gateways.IsEmpty ? root.Gateways : leaf.Gateways,
    };

    private static bool HasConflict(HttpMatchRequest root, HttpMatchRequest leaf)
    {
        if (StringConflict(root.Uri, leaf.Uri) || StringConflict(root.Scheme, leaf.Scheme) ||
            StringConflict(root.Method, leaf.Method) || StringConflict(root.Authority, leaf.Authority))
        {
            return true;
        }

        if (leaf.Headers.Any(h => StringConflict(root.Headers.GetValueOrDefault(h.Key), h.Value)) ||
            leaf.WithoutHeaders.Any(h => StringConflict(root.WithoutHeaders.GetValueOrDefault(h.Key), h.Value)) ||
            leaf.QueryParams.Any(q => StringConflict(root.QueryParams.GetValueOrDefault(q.Key), q.Value)))
        {
            return true;
        }

        if (root.IgnoreUriCase != leaf.IgnoreUriCase || (root.Port > 0 && leaf.Port > 0 && root.Port != leaf.Port))
        {
            return true;
        }

        if (!string.IsNullOrEmpty(root.SourceNamespace) && leaf.SourceNamespace != root.SourceNamespace)
        {
            return true;
        }

        if (leaf.SourceLabels.Any(l => root.SourceLabels.TryGetValue(l.Key, out var value) && value != l.Value))
        {
            return true;
        }

        return !root.Gateways.IsEmpty && !leaf.Gateways.IsEmpty &&
               (root.Gateways.Count < leaf.Gateways.Count || leaf.Gateways.Any(g => !root.Gateways.Contains(g)));
    }

    /// <summary>istiod's stringMatchConflict: only exact under exact (equal) or prefix/exact under a prefix combine.</summary>
    private static bool StringConflict(StringMatch? root, StringMatch? leaf)
    {
        if (root is null || leaf is null)
        {
            return false;
        }

        if (Value(root, StringMatchKind.Regex).Length > 0 || Value(leaf, StringMatchKind.Regex).Length > 0)
        {
            return true;
        }

        var exact = Value(root, StringMatchKind.Exact);
        if (exact.Length > 0)
        {
            return Value(leaf, StringMatchKind.Prefix).Length > 0 || Value(leaf, StringMatchKind.Exact) != exact;
        }

        var prefix = Value(root, StringMatchKind.Prefix);
        if (prefix.Length > 0)
        {
            if (Value(leaf, StringMatchKind.Prefix) is { Length: > 0 } leafPrefix)
            {
                return !leafPrefix.StartsWith(prefix, StringComparison.Ordinal);
            }

            if (Value(leaf, StringMatchKind.Exact) is { Length: > 0 } leafExact)
            {
                return !leafExact.StartsWith(prefix, StringComparison.Ordinal);
            }
        }

        return true;
    }

    /// <summary>The value when <paramref name="match"/> is of <paramref name="kind"/>, else "" (protobuf's getters).</summary>
    private static string Value(StringMatch match, StringMatchKind kind) => match.Kind == kind ? match.Value : string.Empty;
}
