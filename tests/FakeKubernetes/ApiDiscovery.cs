using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// The discovery documents (/version, /api, /apis and one resource list per group version), built
/// from the resources the fake serves: clients such as helm and kubectl map kinds to resources by them.
/// </summary>
public static class ApiDiscovery
{
    public const string ServerVersion = "v1.32.0";

    public static JsonObject? Answer(string path) => path.TrimEnd('/') switch
    {
        "/version" => new JsonObject
        {
            ["major"] = "1",
            ["minor"] = "32",
            ["gitVersion"] = ServerVersion,
            ["platform"] = "linux/amd64",
        },
        "/api" => new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1" }),
        },
        "/apis" => Groups(),
        var other when other.StartsWith("/api/", StringComparison.Ordinal) || other.StartsWith("/apis/", StringComparison.Ordinal) => Resources(other),
        _ => null,
    };

    private static JsonObject Groups()
    {
        var groups = new JsonArray();
        foreach (var group in ResourceType.All.Where(r => r.Group.Length > 0).GroupBy(r => r.Group))
        {
            var versions = group.Select(r => r.Version).Distinct().Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group.Key}/{v}", ["version"] = v });
            groups.Add(new JsonObject
            {
                ["name"] = group.Key,
                ["versions"] = new JsonArray(versions.ToArray()),
                ["preferredVersion"] = versions.First().DeepClone(),
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    /// <summary>The resource list of /api/v1 or /apis/GROUP/VERSION; null for any longer path.</summary>
    private static JsonObject? Resources(string path)
    {
        var segments = path.Trim('/').Split('/');
        var (group, version) = segments switch
        {
            ["api", var v] => (string.Empty, v),
            ["apis", var g, var v] => (g, v),
            _ => (null, null),
        };
        if (group is null)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var type in ResourceType.All.Where(r => r.Group == group && r.Version == version))
        {
            resources.Add(new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Kind.ToLowerInvariant(),
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
            });
            resources.Add(new JsonObject
            {
                ["name"] = $"{type.Plural}/status",
                ["singularName"] = string.Empty,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray("get", "patch", "update"),
            });
        }

        return resources.Count == 0 ? null : new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
