using System.Collections.Immutable;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>The outbound clusters of one service for one kind of proxy and DestinationRule, and the EDS assignments they need.</summary>
internal sealed record ServiceClusters(ImmutableArray<XdsResource> Clusters, ImmutableArray<EdsTarget> EdsTargets);
