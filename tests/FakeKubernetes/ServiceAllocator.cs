using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// What the real API server does to a Service it stores: defaults spec.type to ClusterIP and gives
/// a service without spec.clusterIP one from the service range (never to ExternalName services, nor
/// to headless ones, which say clusterIP: None). Without it every Service a test creates would be
/// headless here and not on a real cluster.
/// </summary>
internal sealed class ServiceAllocator
{
    /// <summary>Allocated from 10.96.200.0 up, clear of the addresses tests write into their manifests.</summary>
    private int _next = 200 * 256 + 1;

    /// <summary>Fills in a new Service's type and cluster IP. Called under the store's lock.</summary>
    public void OnCreate(JsonObject service)
    {
        if (service["spec"] is not JsonObject spec)
        {
            service["spec"] = spec = new JsonObject();
        }

        spec["type"] ??= "ClusterIP";
        if (spec["type"]?.GetValue<string>() == "ExternalName" || !string.IsNullOrEmpty(spec["clusterIP"]?.GetValue<string>()))
        {
            return;
        }

        var ip = $"10.96.{_next / 256}.{_next % 256}";
        _next = _next % 256 == 254 ? _next + 3 : _next + 1;
        spec["clusterIP"] = ip;
        spec["clusterIPs"] = new JsonArray(ip);
    }

    /// <summary>A replaced Service keeps its type and cluster IP when the new version leaves them out (they are immutable).</summary>
    public static void OnReplace(JsonObject current, JsonObject updated)
    {
        if (updated["spec"] is not JsonObject spec || current["spec"] is not JsonObject before)
        {
            return;
        }

        foreach (var field in new[] { "type", "clusterIP", "clusterIPs" })
        {
            if (spec[field] is null && before[field] is not null)
            {
                spec[field] = before[field]!.DeepClone();
            }
        }
    }
}
