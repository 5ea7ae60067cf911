using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>
/// The real API server's own admission plugins that tests meet, run on every create before the
/// mutating webhooks: NamespaceLifecycle (nothing new in a Terminating namespace) and ServiceAccount
/// (a pod runs as spec.serviceAccountName, "default" when unset, and that ServiceAccount must exist;
/// nothing creates it here, as no controller-manager does on a bare API server).
/// </summary>
public sealed class BuiltInAdmission(FakeObjectStore store)
{
    private static readonly ResourceType Namespaces = ResourceType.Find("", "v1", "namespaces")!;
    private static readonly ResourceType ServiceAccounts = ResourceType.Find("", "v1", "serviceaccounts")!;

    /// <summary>The object as admitted (a pod gets its serviceAccountName filled in).</summary>
    /// <exception cref="ApiError">403 Forbidden, worded as the real plugins word it.</exception>
    public JsonObject Admit(ResourceType type, string? ns, JsonObject obj)
    {
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? string.Empty;
        if (ns is not null && store.Find(Namespaces, null, ns)?["metadata"]?["deletionTimestamp"] is not null)
        {
            throw ApiError.Forbidden(type.Plural, name, $"unable to create new content in namespace {ns} because it is being terminated");
        }

        if (type.Group.Length == 0 && type.Plural == "pods" && ns is not null)
        {
            if (obj["spec"] is not JsonObject spec)
            {
                obj["spec"] = spec = new JsonObject();
            }

            var account = spec["serviceAccountName"]?.GetValue<string>() is { Length: > 0 } named ? named : "default";
            spec["serviceAccountName"] = account;
            if (store.Find(ServiceAccounts, ns, account) is null)
            {
                throw ApiError.Forbidden(type.Plural, name, $"error looking up service account {ns}/{account}: serviceaccount \"{account}\" not found");
            }
        }

        return obj;
    }
}
