using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// A created CustomResourceDefinition is at once NamesAccepted and Established, as a real server
/// reports it moments later; clients (helm, CrdInstaller) wait for that condition.
/// </summary>
public static class CustomResourceDefinitions
{
    public static JsonObject Accept(ResourceType type, JsonObject obj)
    {
        if (type.Kind != "CustomResourceDefinition")
        {
            return obj;
        }

        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        JsonObject Condition(string name, string reason) => new()
        {
            ["type"] = name,
            ["status"] = "True",
            ["reason"] = reason,
            ["lastTransitionTime"] = now,
        };
        var storage = (obj["spec"]?["versions"] as JsonArray)?.FirstOrDefault(v => v?["storage"]?.GetValue<bool>() == true)?["name"]?.GetValue<string>();
        obj["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(Condition("NamesAccepted", "NoConflicts"), Condition("Established", "InitialNamesAccepted")),
            ["acceptedNames"] = obj["spec"]?["names"]?.DeepClone(),
            ["storedVersions"] = storage is null ? new JsonArray() : new JsonArray(storage),
        };
        return obj;
    }
}
