using Envoy.Config.Core.V3;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Where a proxy or an endpoint runs, as Istio 1.10 writes it: region/zone/subzone, each part
/// possibly empty. Endpoints take it from their Pod's <c>istio-locality</c> label when set (istiod's
/// getPodLocality), else from the EndpointSlice's zone; proxies from their Envoy node's locality,
/// which pilot-agent fills from that same label or the platform.
/// </summary>
public readonly record struct LocalityLabel
{
    /// <summary>The Pod label that overrides a workload's locality (istiod's model.LocalityLabel).</summary>
    public const string PodLabel = "istio-locality";

    private readonly string? _region;
    private readonly string? _zone;
    private readonly string? _subZone;

    /// <param name="region">Null reads as empty, as every part.</param>
    public LocalityLabel(string? region, string? zone, string? subZone)
    {
        _region = region;
        _zone = zone;
        _subZone = subZone;
    }

    /// <summary>No region, zone or subzone (also the default value): what istiod gives a proxy whose node says nothing.</summary>
    public static LocalityLabel Empty { get; } = new(null, null, null);

    /// <summary>The region, e.g. us-east1; empty when unknown.</summary>
    public string Region => _region ?? string.Empty;

    /// <summary>The zone, e.g. us-east1-b; empty when unknown.</summary>
    public string Zone => _zone ?? string.Empty;

    /// <summary>The subzone (Istio's finer split of a zone, e.g. a rack); empty when unknown.</summary>
    public string SubZone => _subZone ?? string.Empty;

    /// <summary>
    /// A label as Istio reads it (GetLocalityLabelOrDefault, then SplitLocalityLabel): parts
    /// separated by '/', or by '.' when the label has no '/' (Kubernetes label values cannot hold
    /// '/'); parts after the third are ignored.
    /// </summary>
    public static LocalityLabel Parse(string label)
    {
        var parts = (label.Contains('/', StringComparison.Ordinal) ? label : label.Replace('.', '/')).Split('/');
        return new LocalityLabel(parts[0], parts.Length > 1 ? parts[1] : null, parts.Length > 2 ? parts[2] : null);
    }

    /// <summary>
    /// A locality label already in region/zone/subzone form, as istiod's ConvertLocality reads an
    /// endpoint's (a WorkloadEntry's locality, a ServiceEntry endpoint's): parts separated by '/'
    /// only; parts after the third are ignored.
    /// </summary>
    public static LocalityLabel Split(string label)
    {
        var parts = label.Split('/');
        return new LocalityLabel(parts[0], parts.Length > 1 ? parts[1] : null, parts.Length > 2 ? parts[2] : null);
    }

    /// <summary>"region/zone/subzone": the order istiod sorts an assignment's localities in.</summary>
    public string SortKey => $"{Region}/{Zone}/{SubZone}";

    /// <summary>The Envoy Locality with the same three parts.</summary>
    public Locality ToEnvoy() => new() { Region = Region, Zone = Zone, SubZone = SubZone };

    /// <summary>An Envoy Locality's three parts; <see cref="Empty"/> for none.</summary>
    public static LocalityLabel FromEnvoy(Locality? locality) =>
        locality is null ? Empty : new LocalityLabel(locality.Region, locality.Zone, locality.SubZone);

    /// <summary>Equal when all three parts are (an absent part equals an empty one).</summary>
    public bool Equals(LocalityLabel other) => Region == other.Region && Zone == other.Zone && SubZone == other.SubZone;

    public override int GetHashCode() => HashCode.Combine(Region, Zone, SubZone);

    public override string ToString() => SortKey;
}
