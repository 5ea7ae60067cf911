using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Operator.Ownership;

/// <summary>
/// The owner of what the operator creates in its namespace (the leader-election Lease and the
/// generated webhook certificate Secret): the operator's own Deployment
/// (<see cref="OperatorOptions.OwnerDeployment"/>). Helm never made those objects, so helm uninstall
/// does not delete them; it deletes the Deployment, and Kubernetes' garbage collector then deletes
/// every object whose owner references name only gone owners.
/// </summary>
public sealed class DeploymentOwner(IKubernetes client, IOptions<OperatorOptions> options, ILogger<DeploymentOwner> logger)
{
    private readonly OperatorOptions _options = options.Value;
    private int _warned;

    /// <summary>Whether an owner is configured at all.</summary>
    public bool Enabled => !string.IsNullOrEmpty(_options.OwnerDeployment);

    /// <summary>
    /// A reference to the Deployment as it is now, read each time: a recreated Deployment has a new
    /// uid, and a reference to a uid that no longer exists gets the object collected at once.
    /// </summary>
    /// <returns>Null when no owner is configured, or when the Deployment cannot be read (logged once
    /// as a warning): the object is then made without an owner rather than not at all.</returns>
    public async Task<V1OwnerReference?> ReferenceAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }

        try
        {
            var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(_options.OwnerDeployment, _options.Namespace, cancellationToken: cancellationToken);
            return new V1OwnerReference
            {
                ApiVersion = "apps/v1",
                Kind = "Deployment",
                Name = deployment.Metadata.Name,
                Uid = deployment.Metadata.Uid,
            };
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            var level = Interlocked.Exchange(ref _warned, 1) == 0 ? LogLevel.Warning : LogLevel.Debug;
            logger.Log(level, "Owner Deployment {Namespace}/{Deployment} cannot be read (HTTP {Status}); the Lease and certificate Secret are left without an owner and outlive an uninstall", _options.Namespace, _options.OwnerDeployment, (int)e.Response.StatusCode);
            return null;
        }
    }

    /// <summary>Whether <paramref name="metadata"/> already names the configured Deployment as an owner.</summary>
    public bool Owns(V1ObjectMeta metadata) =>
        !Enabled || metadata.OwnerReferences?.Any(r => r.Kind == "Deployment" && r.Name == _options.OwnerDeployment) == true;

    /// <summary>Puts <paramref name="owner"/> into <paramref name="metadata"/>, replacing a reference to an earlier Deployment of that name.</summary>
    public static void Adopt(V1ObjectMeta metadata, V1OwnerReference owner)
    {
        var references = metadata.OwnerReferences?.Where(r => !(r.Kind == owner.Kind && r.Name == owner.Name)).ToList() ?? [];
        references.Add(owner);
        metadata.OwnerReferences = references;
    }
}
