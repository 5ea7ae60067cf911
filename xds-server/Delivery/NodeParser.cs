using System.Collections.Immutable;
using System.Net;
using ControlPlane.XdsServer.Generation;
using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>Parses node ids of the form TYPE~IP~POD.NAMESPACE~DOMAIN and Istio's node metadata.</summary>
public static class NodeParser
{
    /// <summary>Node metadata naming the data plane; pilot-agent copies it from ISTIO_META_PROXY_FLAVOR.</summary>
    public const string FlavorField = "PROXY_FLAVOR";

    /// <summary>The pod label (and annotation) the injector chooses the data plane by.</summary>
    public const string FlavorLabel = "mesh.controlplane.io/proxy-flavor";

    /// <summary>
    /// Longest node id accepted, in characters. Istio's ids are far shorter: a pod name (at most 253),
    /// a namespace (63), an IP and a DNS domain (253), joined by '~'.
    /// </summary>
    public const int MaxNodeIdLength = 1024;

    /// <summary>
    /// Largest node metadata accepted, in serialized bytes. pilot-agent puts the pod's labels and
    /// annotations there, and Kubernetes allows 256 KiB of annotations; twice that leaves room.
    /// </summary>
    public const int MaxMetadataBytes = 512 * 1024;

    /// <summary>Longest region, zone or subzone accepted, in characters (Kubernetes label values are at most 63; cloud zone names far shorter).</summary>
    public const int MaxLocalityPartLength = 253;

    /// <exception cref="FormatException">With a message saying what is wrong with the node; it quotes at most 128 characters of the node's own text.</exception>
    public static ProxyNode Parse(Node node)
    {
        var id = node.Id ?? string.Empty;
        if (id.Length == 0)
        {
            throw new FormatException("node.id is empty; expected TYPE~IP~POD.NAMESPACE~DOMAIN");
        }

        if (id.Length > MaxNodeIdLength)
        {
            throw new FormatException($"node.id is {id.Length} characters long; at most {MaxNodeIdLength} are accepted");
        }

        var metadataBytes = node.Metadata?.CalculateSize() ?? 0;
        if (metadataBytes > MaxMetadataBytes)
        {
            throw new FormatException($"node.metadata is {metadataBytes} bytes; at most {MaxMetadataBytes} are accepted");
        }

        var quoted = Quote(id);

        var parts = id.Split('~');
        if (parts.Length != 4)
        {
            throw new FormatException($"node id '{quoted}' has {parts.Length} part(s); expected 4 separated by '~': TYPE~IP~POD.NAMESPACE~DOMAIN");
        }

        var nodeType = parts[0];
        if (nodeType is not ("sidecar" or "router"))
        {
            throw new FormatException($"node id '{quoted}' has type '{Quote(nodeType)}'; valid types are sidecar and router");
        }

        var metadata = node.Metadata?.Fields ?? new Google.Protobuf.Collections.MapField<string, Value>();
        var instanceIps = StringField(metadata, "INSTANCE_IPS");
        var candidates = string.IsNullOrEmpty(instanceIps) ? [parts[1]] : instanceIps.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var ips = candidates.Where(ip => IPAddress.TryParse(ip, out _)).ToImmutableArray();
        if (ips.IsEmpty)
        {
            throw new FormatException($"node id '{quoted}': no valid IP address in the id ('{Quote(parts[1])}') or in INSTANCE_IPS");
        }

        var podId = parts[2];
        var dnsDomain = parts[3];
        var ns = StringField(metadata, "NAMESPACE");
        if (string.IsNullOrEmpty(ns))
        {
            var dot = podId.IndexOf('.');
            ns = dot >= 0 && dot < podId.Length - 1 ? podId[(dot + 1)..] : dnsDomain.Split('.')[0];
        }

        if (string.IsNullOrEmpty(ns))
        {
            throw new FormatException($"node id '{quoted}': no namespace in metadata NAMESPACE, in the pod id or in the domain");
        }

        var labels = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (metadata.TryGetValue("LABELS", out var labelValue) && labelValue.KindCase == Value.KindOneofCase.StructValue)
        {
            foreach (var (key, value) in labelValue.StructValue.Fields)
            {
                if (LabelText(value) is { } text)
                {
                    labels[key] = text;
                }
            }
        }

        return new ProxyNode(
            id,
            nodeType,
            ips,
            podId,
            dnsDomain,
            ns,
            labels.ToImmutable(),
            StringField(metadata, "ISTIO_VERSION"),
            StringField(metadata, "CLUSTER_ID"),
            StringField(metadata, "GENERATOR"),
            FlavorOf(metadata, labels),
            LocalityOf(node.Locality));
    }

    /// <summary>The node's locality; each part is bounded, as it becomes part of a shared view.</summary>
    private static LocalityLabel LocalityOf(Locality? locality)
    {
        foreach (var (field, value) in new[] { ("region", locality?.Region), ("zone", locality?.Zone), ("sub_zone", locality?.SubZone) })
        {
            if (value is { Length: > MaxLocalityPartLength })
            {
                throw new FormatException($"node.locality.{field} is {value.Length} characters long; at most {MaxLocalityPartLength} are accepted");
            }
        }

        return LocalityLabel.FromEnvoy(locality);
    }

    /// <summary>The metadata field PROXY_FLAVOR, else the pod label the injector reads; Envoy when neither says MOSN.</summary>
    private static ProxyFlavor FlavorOf(IDictionary<string, Value> metadata, IReadOnlyDictionary<string, string> labels)
    {
        var flavor = StringField(metadata, FlavorField) ?? labels.GetValueOrDefault(FlavorLabel);
        return string.Equals(flavor?.Trim(), "mosn", StringComparison.OrdinalIgnoreCase) ? ProxyFlavor.Mosn : ProxyFlavor.Envoy;
    }

    /// <summary>A label's value: strings as they are, anything else as its JSON; null for a value that has none (no kind set), which is skipped.</summary>
    private static string? LabelText(Value value)
    {
        if (value.KindCase == Value.KindOneofCase.StringValue)
        {
            return value.StringValue;
        }

        try
        {
            return value.ToString();
        }
        catch (InvalidOperationException)
        {
            // Protobuf's JSON formatter refuses a Value without a kind, or a struct with an empty key, both valid on the wire.
            return null;
        }
    }

    /// <summary>Client text as an error message may quote it: at most 128 characters.</summary>
    private static string Quote(string value) => value.Length <= 128 ? value : string.Concat(value.AsSpan(0, 128), "…");

    private static string? StringField(IDictionary<string, Value> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.KindCase == Value.KindOneofCase.StringValue ? value.StringValue : null;
}
