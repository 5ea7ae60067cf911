using ControlPlane.Operator.Ownership;
using k8s;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

namespace ControlPlane.Operator.Leadership;

/// <summary>
/// The Lease lock, creating the Lease owned by the operator's Deployment (and adopting one made before
/// an owner was configured at its next renewal), so that helm uninstall leaves no Lease behind.
/// </summary>
public sealed class OwnedLeaseLock(IKubernetes client, string ns, string name, string identity, DeploymentOwner owner)
    : LeaseLock(client, ns, name, identity)
{
    protected override async Task<V1Lease> CreateMetaObjectAsync(IKubernetes client, V1Lease obj, string namespaceParameter, CancellationToken cancellationToken)
    {
        await AdoptAsync(obj, cancellationToken);
        return await base.CreateMetaObjectAsync(client, obj, namespaceParameter, cancellationToken);
    }

    protected override async Task<V1Lease> ReplaceMetaObjectAsync(IKubernetes client, V1Lease obj, string name, string namespaceParameter, CancellationToken cancellationToken)
    {
        await AdoptAsync(obj, cancellationToken);
        return await base.ReplaceMetaObjectAsync(client, obj, name, namespaceParameter, cancellationToken);
    }

    private async Task AdoptAsync(V1Lease lease, CancellationToken cancellationToken)
    {
        lease.Metadata ??= new V1ObjectMeta();
        if (!owner.Owns(lease.Metadata) && await owner.ReferenceAsync(cancellationToken) is { } reference)
        {
            DeploymentOwner.Adopt(lease.Metadata, reference);
        }
    }
}
