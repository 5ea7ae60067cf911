using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Net.Client;

namespace ControlPlane.EndToEnd.Tests.Infrastructure;

/// <summary>Asks an xds-server for one type over a fresh ADS stream, as a sidecar of the given namespace, and returns the first answer.</summary>
public static class XdsProbe
{
    public const string Cluster = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    public const string Endpoint = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

    public static async Task<IReadOnlyList<T>> FetchAsync<T>(int port, string ns, string typeUrl, params string[] names)
        where T : IMessage<T>, new()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).StreamAggregatedResources(cancellationToken: deadline.Token);
        var request = new DiscoveryRequest
        {
            TypeUrl = typeUrl,
            Node = new Node
            {
                Id = $"sidecar~10.0.0.1~probe.{ns}~{ns}.svc.cluster.local",
                Cluster = "probe." + ns,
                Metadata = new Google.Protobuf.WellKnownTypes.Struct { Fields = { ["NAMESPACE"] = Google.Protobuf.WellKnownTypes.Value.ForString(ns) } },
            },
        };
        request.ResourceNames.AddRange(names);
        await call.RequestStream.WriteAsync(request);
        if (!await call.ResponseStream.MoveNext(deadline.Token))
        {
            throw new InvalidOperationException($"the xds-server closed the stream without answering {typeUrl}");
        }

        var parser = new MessageParser<T>(() => new T());
        var resources = call.ResponseStream.Current.Resources.Select(r => parser.ParseFrom(r.Value)).ToList();
        await call.RequestStream.CompleteAsync();
        return resources;
    }
}
