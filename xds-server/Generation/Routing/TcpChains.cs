using Envoy.Config.Core.V3;
using Envoy.Config.Listener.V3;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>Outbound TCP filter chains from their match options, as istiod 1.10's buildListener makes them.</summary>
internal static class TcpChains
{
    /// <summary>istiod's buildListener for one chain: SNI hosts sorted (none when one is "*"), destination CIDRs sorted (the unspecified address left out); no match when neither is left.</summary>
    public static FilterChain Chain(Options options, Filter filter, Metadata? metadata)
    {
        var match = new FilterChainMatch();
        if (options.SniHosts.Count > 0 && !options.SniHosts.Contains("*"))
        {
            match.ServerNames.AddRange(options.SniHosts.Order(StringComparer.Ordinal));
        }

        foreach (var cidr in options.Cidrs.Where(c => c.Length > 0).Order(StringComparer.Ordinal))
        {
            var range = Cidr(cidr);
            if (range.AddressPrefix != MeshNames.UnspecifiedAddress)
            {
                match.PrefixRanges.Add(range);
            }
        }

        var chain = new FilterChain { Filters = { filter }, Metadata = metadata };
        if (match.ServerNames.Count > 0 || match.PrefixRanges.Count > 0)
        {
            chain.FilterChainMatch = match;
        }

        return chain;
    }

    /// <summary>istiod's ConvertAddressToCidr: an address is a /32 (or /128), "a/n" keeps its length.</summary>
    private static CidrRange Cidr(string address)
    {
        var slash = address.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return new CidrRange { AddressPrefix = address, PrefixLen = address.Contains(':', StringComparison.Ordinal) ? 128u : 32u };
        }

        _ = uint.TryParse(address.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture, out var length);
        return new CidrRange { AddressPrefix = address[..slash], PrefixLen = length };
    }

    /// <summary>istiod's filterChainOpts, as far as TCP chains use it.</summary>
    /// <param name="SniHosts">SNI hosts to match; "*" among them matches any.</param>
    /// <param name="Cidrs">Destination addresses or CIDRs to match; "" stands for none.</param>
    public sealed record Options(IReadOnlyList<string> SniHosts, IReadOnlyList<string> Cidrs);
}
