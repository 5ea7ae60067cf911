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

    /// <summary>
    /// RFC 6902: add, remove, replace, move, copy and test, as admission webhooks and JSON patch
    /// requests send them. Operations apply in order to <paramref name="document"/> (callers pass a
    /// copy, so a failing patch leaves nothing half applied); the result may be a new root.
    /// </summary>
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        JsonNode? root = document;
        foreach (var entry in operations)
        {
            var operation = entry as JsonObject ?? throw ApiError.BadRequest("a JSON patch operation is an object");
            var op = Text(operation, "op");
            var path = Pointer(operation, "path");
            switch (op)
            {
                case "add":
                    root = Add(root, path, Value(operation));
                    break;
                case "remove":
                    root = Remove(root, path, out _);
                    break;
                case "replace":
                    root = Replace(root, path, Value(operation));
                    break;
                case "move":
                    var from = Pointer(operation, "from");
                    if (path.Length > from.Length && path[..from.Length].SequenceEqual(from))
                    {
                        throw Invalid($"JSON patch cannot move {Text(operation, "from")} into its own child {Text(operation, "path")}");
                    }

                    root = Remove(root, from, out var moved);
                    root = Add(root, path, moved);
                    break;
                case "copy":
                    root = Add(root, path, Get(root, Pointer(operation, "from"))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), Value(operation)))
                    {
                        throw Invalid($"JSON patch test failed at {Text(operation, "path")}");
                    }

                    break;
                default:
                    throw ApiError.BadRequest($"JSON patch op '{op}' is not supported by the fake API server");
            }
        }

        return root ?? throw Invalid("JSON patch left no document");
    }

    private static JsonNode? Add(JsonNode? root, string[] path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value;
        }

        var last = path[^1];
        switch (Container(root, path))
        {
            case JsonArray array:
                // "-" appends; an index may also be one past the end (RFC 6902 4.1).
                array.Insert(last == "-" ? array.Count : Index(array, last, array.Count), value);
                break;
            case JsonObject obj:
                obj[last] = value;
                break;
        }

        return root;
    }

    private static JsonNode? Remove(JsonNode? root, string[] path, out JsonNode? removed)
    {
        if (path.Length == 0)
        {
            removed = root;
            return null;
        }

        var last = path[^1];
        switch (Container(root, path))
        {
            case JsonArray array:
                var index = Index(array, last, array.Count - 1);
                removed = array[index];
                array.RemoveAt(index);
                break;
            case JsonObject obj:
                if (!obj.Remove(last, out removed))
                {
                    throw Missing(path);
                }

                break;
            default:
                throw Missing(path);
        }

        return root;
    }

    private static JsonNode? Replace(JsonNode? root, string[] path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value;
        }

        var last = path[^1];
        switch (Container(root, path))
        {
            case JsonArray array:
                array[Index(array, last, array.Count - 1)] = value;
                break;
            case JsonObject obj:
                // Unlike add, replace needs the member to exist (RFC 6902 4.3).
                if (!obj.ContainsKey(last))
                {
                    throw Missing(path);
                }

                obj[last] = value;
                break;
        }

        return root;
    }

    private static JsonNode? Get(JsonNode? root, string[] path)
    {
        var node = root;
        for (var i = 0; i < path.Length; i++)
        {
            node = node switch
            {
                JsonArray array => array[Index(array, path[i], array.Count - 1)],
                JsonObject obj when obj.TryGetPropertyValue(path[i], out var child) => child,
                _ => throw Missing(path[..(i + 1)]),
            };
        }

        return node;
    }

    /// <summary>The object or array that holds the last segment of <paramref name="path"/>; it must exist.</summary>
    private static JsonNode Container(JsonNode? root, string[] path) =>
        Get(root, path[..^1]) is { } parent and (JsonObject or JsonArray) ? parent : throw Missing(path[..^1]);

    private static int Index(JsonArray array, string segment, int max)
    {
        // RFC 6901: digits without leading zeros; anything else is no index at all.
        var valid = segment.Length > 0 && segment.All(char.IsAsciiDigit) && (segment.Length == 1 || segment[0] != '0');
        if (!valid || !int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) || index > max)
        {
            throw Invalid($"JSON patch array index '{segment}' is out of range for an array of {array.Count}");
        }

        return index;
    }

    private static string[] Pointer(JsonObject operation, string field)
    {
        var pointer = Text(operation, field);
        if (pointer.Length > 0 && pointer[0] != '/')
        {
            throw ApiError.BadRequest($"JSON patch {field} '{pointer}' is not a JSON pointer");
        }

        return pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToArray();
    }

    private static string Text(JsonObject operation, string field) =>
        operation[field] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw ApiError.BadRequest($"JSON patch operation without {field}");

    private static JsonNode? Value(JsonObject operation) =>
        operation.TryGetPropertyValue("value", out var value)
            ? value?.DeepClone()
            : throw ApiError.BadRequest($"JSON patch operation '{Text(operation, "op")}' without value");

    private static ApiError Missing(string[] path) => Invalid($"JSON patch path /{string.Join('/', path)} does not exist");

    private static ApiError Invalid(string message) => new(422, "Invalid", message);
}
