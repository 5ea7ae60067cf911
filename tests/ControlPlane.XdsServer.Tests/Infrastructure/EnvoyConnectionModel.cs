using System.Net;
using System.Text;
using Envoy.Config.Listener.V3;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>
/// What Envoy 1.18 does with a new connection on a listener, for the parts our listeners use, since
/// no Envoy binary runs here: the TLS inspector (plaintext leaves the transport protocol at its
/// default, raw_buffer), the HTTP inspector (an HTTP/1.x request line gives ALPN http/1.0 or
/// http/1.1, the HTTP/2 connection preface gives h2c, anything else none), each unless its
/// filter_disabled predicate (destination port ranges) holds; then filter chain matching in Envoy's
/// order, each level taking the most specific match and only then the chains without that
/// condition: destination port (no fallback to port-less chains once a port's chains exist: the
/// default chain then), destination IP (longest prefix), server name, transport protocol,
/// application protocols; the default filter chain when nothing matches.
/// </summary>
public static class EnvoyConnectionModel
{
    /// <summary>The first bytes of an HTTP/2 connection with prior knowledge (RFC 7540, 3.5).</summary>
    public static readonly byte[] Http2Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    public static readonly byte[] Http11Request = Encoding.ASCII.GetBytes("GET /items HTTP/1.1\r\nHost: legacy\r\n\r\n");

    /// <summary>A server-first or binary protocol's opening bytes: nothing HTTP about them.</summary>
    public static readonly byte[] RawTcp = [0x4a, 0x00, 0x00, 0x00, 0x0a, 0x35, 0x2e, 0x37];

    /// <summary>The filter chain Envoy would choose for a plaintext connection to <paramref name="destination"/>:<paramref name="port"/> opening with <paramref name="firstBytes"/>; null when it closes the connection.</summary>
    public static FilterChain? Select(Listener listener, string destination, int port, byte[] firstBytes)
    {
        const string transport = "raw_buffer";
        var alpn = listener.ListenerFilters.Any(f => f.Name == "envoy.filters.listener.http_inspector" && !Disabled(f, port))
            ? HttpInspector(firstBytes)
            : null;

        var chains = listener.FilterChains.ToList();
        var forPort = chains.Where(c => (c.FilterChainMatch?.DestinationPort ?? 0) == (uint)port).ToList();
        var candidates = forPort.Count > 0 ? forPort : chains.Where(c => c.FilterChainMatch?.DestinationPort is null or 0).ToList();
        return ByDestinationIp(candidates, IPAddress.Parse(destination), transport, alpn) ?? listener.DefaultFilterChain;
    }

    /// <summary>Envoy's http_inspector: the ALPN it reports for these first bytes, or null.</summary>
    public static string? HttpInspector(byte[] firstBytes)
    {
        if (firstBytes.AsSpan().StartsWith(Http2Preface))
        {
            return "h2c";
        }

        var text = Encoding.ASCII.GetString(firstBytes);
        var end = text.IndexOf("\r\n", StringComparison.Ordinal);
        var parts = (end < 0 ? text : text[..end]).Split(' ');
        return parts.Length == 3 && parts[0].Length > 0 && parts[0].All(char.IsAsciiLetterUpper) && parts[2] is "HTTP/1.1" or "HTTP/1.0"
            ? parts[2].ToLowerInvariant()
            : null;
    }

    private static bool Disabled(ListenerFilter filter, int port) => filter.FilterDisabled is { } predicate && Holds(predicate, port);

    private static bool Holds(ListenerFilterChainMatchPredicate predicate, int port) => predicate.RuleCase switch
    {
        ListenerFilterChainMatchPredicate.RuleOneofCase.DestinationPortRange => port >= predicate.DestinationPortRange.Start && port < predicate.DestinationPortRange.End,
        ListenerFilterChainMatchPredicate.RuleOneofCase.NotMatch => !Holds(predicate.NotMatch, port),
        ListenerFilterChainMatchPredicate.RuleOneofCase.OrMatch => predicate.OrMatch.Rules.Any(r => Holds(r, port)),
        ListenerFilterChainMatchPredicate.RuleOneofCase.AndMatch => predicate.AndMatch.Rules.All(r => Holds(r, port)),
        ListenerFilterChainMatchPredicate.RuleOneofCase.AnyMatch => true,
        _ => throw new NotSupportedException($"listener filter predicate {predicate.RuleCase}"),
    };

    private static FilterChain? ByDestinationIp(List<FilterChain> chains, IPAddress destination, string transport, string? alpn)
    {
        var best = -1;
        var specific = new List<FilterChain>();
        foreach (var chain in chains)
        {
            foreach (var range in chain.FilterChainMatch?.PrefixRanges ?? [])
            {
                var length = (int)(range.PrefixLen ?? 0);
                if (!IPNetwork.Parse($"{range.AddressPrefix}/{length}").Contains(destination) || length < best)
                {
                    continue;
                }

                if (length > best)
                {
                    best = length;
                    specific.Clear();
                }

                specific.Add(chain);
            }
        }

        var candidates = specific.Count > 0 ? specific : chains.Where(c => (c.FilterChainMatch?.PrefixRanges.Count ?? 0) == 0).ToList();
        return ByServerName(candidates.Distinct().ToList(), transport, alpn);
    }

    /// <summary>Plaintext connections carry no SNI: only chains without server names match.</summary>
    private static FilterChain? ByServerName(List<FilterChain> chains, string transport, string? alpn) =>
        ByTransport(chains.Where(c => (c.FilterChainMatch?.ServerNames.Count ?? 0) == 0).ToList(), transport, alpn);

    private static FilterChain? ByTransport(List<FilterChain> chains, string transport, string? alpn)
    {
        var exact = chains.Where(c => c.FilterChainMatch?.TransportProtocol == transport).ToList();
        return ByApplicationProtocol(exact.Count > 0 ? exact : chains.Where(c => string.IsNullOrEmpty(c.FilterChainMatch?.TransportProtocol)).ToList(), alpn);
    }

    private static FilterChain? ByApplicationProtocol(List<FilterChain> chains, string? alpn) =>
        (alpn is null ? null : chains.FirstOrDefault(c => c.FilterChainMatch?.ApplicationProtocols.Contains(alpn) == true))
        ?? chains.FirstOrDefault(c => (c.FilterChainMatch?.ApplicationProtocols.Count ?? 0) == 0);
}
