namespace ControlPlane.Mesh.Kubernetes.Informers;

public interface IResourceInformer
{
    /// <summary>The resource it watches, for logs and readiness, e.g. "services".</summary>
    string Resource { get; }

    /// <summary>True once the first list has been delivered to the handler.</summary>
    bool HasSynced { get; }

    /// <summary>Why the API server cannot be listed or watched now (the informer keeps retrying and withdraws nothing); null while it can.</summary>
    string? Failure { get; }

    /// <summary>Raised, on the informer's loop, when <see cref="HasSynced"/> or <see cref="Failure"/> changes.</summary>
    event Action? StatusChanged;

    Task RunAsync(CancellationToken cancellationToken);
}
