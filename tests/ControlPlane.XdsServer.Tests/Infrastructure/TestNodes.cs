using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

public static class TestNodes
{
    public static Node Sidecar(string pod = "client", string ns = "default", string ip = "10.0.0.1", string? generator = null)
    {
        var node = new Node { Id = $"sidecar~{ip}~{pod}.{ns}~{ns}.svc.cluster.local", Metadata = new Struct() };
        node.Metadata.Fields["NAMESPACE"] = Value.ForString(ns);
        node.Metadata.Fields["ISTIO_VERSION"] = Value.ForString("1.10.0");
        node.Metadata.Fields["CLUSTER_ID"] = Value.ForString("Kubernetes");
        if (generator is not null)
        {
            node.Metadata.Fields["GENERATOR"] = Value.ForString(generator);
        }

        return node;
    }

    /// <summary>A MOSN sidecar, as the injector marks it (node metadata PROXY_FLAVOR).</summary>
    public static Node Mosn(string pod = "mosn-client", string ns = "default", string ip = "10.0.0.2")
    {
        var node = Sidecar(pod, ns, ip);
        node.Metadata.Fields["PROXY_FLAVOR"] = Value.ForString("mosn");
        return node;
    }

    public static Node Raw(string id) => new() { Id = id };

    /// <summary><paramref name="node"/> with its LABELS metadata set to <paramref name="labels"/>, as the injector's pod labels arrive.</summary>
    public static Node Labelled(Node node, params (string Key, string Value)[] labels)
    {
        var fields = new Google.Protobuf.WellKnownTypes.Struct();
        foreach (var (key, value) in labels)
        {
            fields.Fields[key] = Google.Protobuf.WellKnownTypes.Value.ForString(value);
        }

        node.Metadata.Fields["LABELS"] = Google.Protobuf.WellKnownTypes.Value.ForStruct(fields);
        return node;
    }
}
