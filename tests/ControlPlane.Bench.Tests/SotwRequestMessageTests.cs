using ControlPlane.Benchmarks.Load;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;

namespace ControlPlane.Bench.Tests;

/// <summary>The load generator's SotW requests are the bytes Google.Protobuf writes for the same DiscoveryRequest.</summary>
public sealed class SotwRequestMessageTests
{
    public static TheoryData<string, string, string, bool, string[]> Requests => new()
    {
        { "type.googleapis.com/envoy.config.cluster.v3.Cluster", "", "", true, [] },
        { "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "7", "42", false, ["outbound|8080||svc-0.ns-0.svc.cluster.local", "outbound|9090||svc-1.ns-0.svc.cluster.local"] },
        { "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "2026-11-30T00:00:00Z/12", "nonce-ü", true, ["8080", "", "ünïcode:80"] },
        { "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "1", "1", false, Enumerable.Range(0, 1000).Select(i => $"outbound|8080||svc-{i}.ns-{i / 20}.svc.cluster.local").ToArray() },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Writes_what_protobuf_writes(string typeUrl, string version, string nonce, bool withNode, string[] names)
    {
        var node = withNode ? new Node { Id = "sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local", Cluster = "svc.ns" } : null;
        var expected = new DiscoveryRequest { TypeUrl = typeUrl, VersionInfo = version, ResponseNonce = nonce, Node = node };
        expected.ResourceNames.AddRange(names);

        var message = new SotwRequestMessage(typeUrl, version, nonce, node, names);

        message.ToBytes().Should().Equal(expected.ToByteArray());
        message.Size.Should().Be(expected.CalculateSize());
        DiscoveryRequest.Parser.ParseFrom(message.ToBytes()).Should().Be(expected);
    }
}
