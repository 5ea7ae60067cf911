using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// Who a simulated sidecar claims to be, in Istio's form: node id
/// <c>sidecar~IP~POD.NAMESPACE~NAMESPACE.svc.cluster.local</c> and the metadata pilot-agent sends
/// (NAMESPACE, ISTIO_VERSION, INSTANCE_IPS, LABELS, CLUSTER_ID).
/// </summary>
internal sealed record ProxyIdentity(int Index, string Ip, string Pod, string Namespace, string App)
{
    public string NodeId => $"sidecar~{Ip}~{Pod}.{Namespace}~{Namespace}.svc.cluster.local";

    public Node ToNode()
    {
        var metadata = new Struct();
        metadata.Fields["NAMESPACE"] = Value.ForString(Namespace);
        metadata.Fields["ISTIO_VERSION"] = Value.ForString("1.10.0");
        metadata.Fields["INSTANCE_IPS"] = Value.ForString(Ip);
        metadata.Fields["CLUSTER_ID"] = Value.ForString("Kubernetes");
        metadata.Fields["LABELS"] = Value.ForStruct(new Struct { Fields = { ["app"] = Value.ForString(App), ["version"] = Value.ForString("v1") } });
        return new Node
        {
            Id = NodeId,
            Cluster = $"{App}.{Namespace}",
            Metadata = metadata,
            UserAgentName = "envoy",
        };
    }
}
