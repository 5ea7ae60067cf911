using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// Request bodies in Kubernetes' protobuf encoding ("k8s\0", then a runtime.Unknown wrapping the
/// object), which typed Go clients send for built-in kinds. The fake reads the one kind such a client
/// of ours writes, a v1 Secret (helm's release records); any other kind is refused with 415.
/// Field numbers are those of k8s.io/api core/v1 and apimachinery meta/v1 generated.proto.
/// </summary>
public static class ProtobufBodies
{
    public const string ContentType = "application/vnd.kubernetes.protobuf";
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static bool IsProtobuf(string? contentType) => contentType?.StartsWith(ContentType, StringComparison.Ordinal) == true;

    public static JsonObject Decode(ResourceType type, byte[] body)
    {
        if (type.Kind != "Secret")
        {
            throw new ApiError(415, "UnsupportedMediaType", $"the fake API server reads protobuf bodies only for Secrets, not {type.Kind}; send application/json");
        }

        if (body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw ApiError.BadRequest("a protobuf body must start with the k8s\\0 prefix");
        }

        byte[]? raw = null;
        var unknown = new CodedInputStream(body, Magic.Length, body.Length - Magic.Length);
        while (unknown.ReadTag() is var tag and not 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 2)
            {
                raw = unknown.ReadBytes().ToByteArray();
            }
            else
            {
                unknown.SkipLastField();
            }
        }

        return Secret(raw ?? throw ApiError.BadRequest("the protobuf body carries no object (runtime.Unknown.raw)"));
    }

    private static JsonObject Secret(byte[] raw)
    {
        var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret" };
        var data = new JsonObject();
        var input = new CodedInputStream(raw);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    secret["metadata"] = ObjectMeta(input.ReadBytes());
                    break;
                case 2:
                    var (key, value) = MapEntry(input.ReadBytes());
                    data[key] = Convert.ToBase64String(value.ToByteArray());
                    break;
                case 3:
                    secret["type"] = input.ReadString();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (data.Count > 0)
        {
            secret["data"] = data;
        }

        return secret;
    }

    private static JsonObject ObjectMeta(ByteString bytes)
    {
        var metadata = new JsonObject();
        var labels = new JsonObject();
        var annotations = new JsonObject();
        var input = bytes.CreateCodedInput();
        while (input.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    metadata["name"] = input.ReadString();
                    break;
                case 2:
                    metadata["generateName"] = input.ReadString();
                    break;
                case 3:
                    metadata["namespace"] = input.ReadString();
                    break;
                case 6:
                    metadata["resourceVersion"] = input.ReadString();
                    break;
                case 11:
                    var (labelKey, labelValue) = MapEntry(input.ReadBytes());
                    labels[labelKey] = labelValue.ToStringUtf8();
                    break;
                case 12:
                    var (annotationKey, annotationValue) = MapEntry(input.ReadBytes());
                    annotations[annotationKey] = annotationValue.ToStringUtf8();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (labels.Count > 0)
        {
            metadata["labels"] = labels;
        }

        if (annotations.Count > 0)
        {
            metadata["annotations"] = annotations;
        }

        // An empty string is how protobuf says "not set"; JSON clients say it by leaving the field out.
        foreach (var field in metadata.Where(pair => pair.Value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0).Select(pair => pair.Key).ToList())
        {
            metadata.Remove(field);
        }

        return metadata;
    }

    private static (string Key, ByteString Value) MapEntry(ByteString bytes)
    {
        var key = string.Empty;
        var value = ByteString.Empty;
        var input = bytes.CreateCodedInput();
        while (input.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    key = input.ReadString();
                    break;
                case 2:
                    value = input.ReadBytes();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (key, value);
    }
}
