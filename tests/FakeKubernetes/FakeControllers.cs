using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes;

/// <summary>
/// The two parts of kube-controller-manager that tests meet, each acting a while after the change, as
/// the real ones do: the namespace controller (a deleted namespace stays Terminating, then its contents
/// and the namespace itself go) and the garbage collector (dependents whose owners are all gone are
/// deleted; with propagationPolicy Orphan they only lose the reference). A delay of
/// <see cref="Timeout.InfiniteTimeSpan"/> leaves that work undone, as on a cluster without a controller-manager.
/// </summary>
public sealed class FakeControllers(FakeObjectStore store, FakeApiServerOptions options) : IDisposable
{
    private static readonly ResourceType Namespaces = ResourceType.Find("", "v1", "namespaces")!;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The namespace was marked Terminating: after <see cref="FakeApiServerOptions.NamespaceTerminationDelay"/> it and its contents go.</summary>
    public void NamespaceTerminating(string name) => After(options.NamespaceTerminationDelay, () => FinishNamespace(name));

    /// <summary>An object was deleted: after <see cref="FakeApiServerOptions.GarbageCollectionDelay"/> its dependents are collected.</summary>
    /// <param name="propagationPolicy">Background or Foreground (dependents are deleted; the fake does not hold the owner back for Foreground), or Orphan.</param>
    public void Deleted(JsonObject obj, string? propagationPolicy)
    {
        if (obj["metadata"]?["uid"]?.GetValue<string>() is { } uid)
        {
            After(options.GarbageCollectionDelay, () => Collect(uid, propagationPolicy == "Orphan"));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private void After(TimeSpan delay, Action work)
    {
        var token = _stop.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, token);
                work();
            }
            catch (OperationCanceledException)
            {
                // The server stopped first.
            }
        });
    }

    private void FinishNamespace(string name)
    {
        foreach (var (type, item) in store.ContentsOf(name))
        {
            TryDelete(type, name, item);
        }

        TryDelete(Namespaces, null, name);
    }

    private void Collect(string ownerUid, bool orphan)
    {
        foreach (var (type, ns, name) in store.DependentsOf(ownerUid))
        {
            try
            {
                var owners = (store.Find(type, ns, name)?["metadata"]?["ownerReferences"] as JsonArray ?? [])
                    .Select(r => r?["uid"]?.GetValue<string>())
                    .ToList();
                if (!orphan && owners.All(uid => uid is null || !store.HasUid(uid)))
                {
                    TryDelete(type, ns, name);
                }
                else
                {
                    store.Replace(type, ns, name, current => WithoutOwner(current, ownerUid), statusOnly: false);
                }
            }
            catch (ApiError)
            {
                // Changed or deleted meanwhile; the collector looks again after the next deletion.
            }
        }
    }

    private void TryDelete(ResourceType type, string? ns, string name)
    {
        try
        {
            Deleted(store.Delete(type, ns, name), propagationPolicy: null);
        }
        catch (ApiError)
        {
            // Already gone.
        }
    }

    private static JsonObject WithoutOwner(JsonObject obj, string ownerUid)
    {
        if (obj["metadata"]?["ownerReferences"] is JsonArray references)
        {
            foreach (var reference in references.Where(r => r?["uid"]?.GetValue<string>() == ownerUid).ToList())
            {
                references.Remove(reference);
            }
        }

        return obj;
    }
}
