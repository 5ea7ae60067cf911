using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Something a proxy receives but will not do as configured, and the object that asked for it: e.g. a
/// cluster with outlier detection sent to MOSN, whose istio-1.10 converter ignores it. Delivery logs
/// each once per proxy, lists them in /debug/syncz, and reports them in the object's status where the
/// control plane owns it.
/// </summary>
/// <param name="Object">Kind and key of the object, e.g. (DestinationRule, bookinfo/reviews).</param>
/// <param name="Cluster">The resource concerned.</param>
/// <param name="Message">What the proxy does instead, for people.</param>
public sealed record ConfigNotice(ConfigKey Object, string Cluster, string Message);
