using ControlPlane.Mesh.Model;
using ControlPlane.XdsServer.Generation.Indexes;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// An EDS cluster a proxy view gets and what its assignment is made of: a service port's endpoints,
/// those of a subset only when <see cref="SubsetLabels"/> is set, with locality load balancing per
/// <see cref="Locality"/>. Kept with a view's config, so an endpoint-only change rebuilds
/// assignments without looking at clusters or DestinationRules again.
/// </summary>
/// <param name="Service">
/// The service whose cluster it is. Its endpoints are those of the service the proxy finds by its
/// host name (see <see cref="ServiceIndex.Find(string, ServiceScope)"/>), as istiod's EDS looks them up.
/// </param>
/// <param name="ClusterName">Also the assignment's name and the cluster's EDS service_name: <c>outbound|PORT|SUBSET|HOST</c>.</param>
/// <param name="SubsetLabels">The subset's labels; null for the port's default cluster (every endpoint).</param>
/// <param name="Locality">Null when the proxy's locality changes nothing.</param>
internal sealed record EdsTarget(HostService Service, MeshServicePort Port, string ClusterName, ValueMap<string>? SubsetLabels, EdsLocalityPolicy? Locality);
