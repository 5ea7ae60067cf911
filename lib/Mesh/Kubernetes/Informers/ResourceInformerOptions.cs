namespace ControlPlane.Mesh.Kubernetes.Informers;

public sealed class ResourceInformerOptions
{
    /// <summary>How long the API server keeps one watch open before we re-watch from the last version.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often every cached object is handed to the handler again, to heal any missed event.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
