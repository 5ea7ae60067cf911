namespace ControlPlane.Mesh.Kubernetes.Informers;

public interface IResourceInformer
{
    /// <summary>The resource it watches, for logs and readiness, e.g. "services".</summary>
    string Resource { get; }

    /// <summary>True once the first list has been delivered to the handler.</summary>
    bool HasSynced { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
