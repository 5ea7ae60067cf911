using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes;

/// <summary>The patch formats KubernetesClient sends: JSON merge patch (also used for strategic merge) and JSON patch.</summary>
public static class Patches
{
    /// <summary>RFC 7386: objects merge key by key, null deletes, anything else replaces.</summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = Merge(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }

        return result;
    }

    /// <summary>RFC 6902 add, replace, remove and test; enough for admission-style patches.</summary>
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = operation["op"]?.GetValue<string>() ?? throw ApiError.BadRequest("JSON patch operation without op");
            var path = operation["path"]?.GetValue<string>() ?? throw ApiError.BadRequest("JSON patch operation without path");
            var segments = path.Split('/').Skip(1).Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToArray();
            var parent = Navigate(document, segments[..^1]);
            var last = segments[^1];
            switch (op)
            {
                case "add":
                case "replace":
                    var value = operation["value"]?.DeepClone();
                    if (parent is JsonArray array)
                    {
                        if (last == "-")
                        {
                            array.Add(value);
                        }
                        else if (op == "add")
                        {
                            array.Insert(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture), value);
                        }
                        else
                        {
                            array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = value;
                        }
                    }
                    else
                    {
                        ((JsonObject)parent)[last] = value;
                    }

                    break;
                case "remove":
                    if (parent is JsonArray list)
                    {
                        list.RemoveAt(int.Parse(last, System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        ((JsonObject)parent).Remove(last);
                    }

                    break;
                case "test":
                    var actual = parent is JsonArray items ? items[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] : ((JsonObject)parent)[last];
                    if (!JsonNode.DeepEquals(actual, operation["value"]))
                    {
                        throw new ApiError(422, "Invalid", $"JSON patch test failed at {path}");
                    }

                    break;
                default:
                    throw ApiError.BadRequest($"JSON patch op '{op}' is not supported by the fake API server");
            }
        }

        return document;
    }

    private static JsonNode Navigate(JsonNode node, string[] segments)
    {
        foreach (var segment in segments)
        {
            node = (node is JsonArray array ? array[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)] : node[segment])
                ?? throw new ApiError(422, "Invalid", $"JSON patch path segment '{segment}' does not exist");
        }

        return node;
    }
}
