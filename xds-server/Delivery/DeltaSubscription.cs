namespace ControlPlane.XdsServer.Delivery;

/// <summary>What one delta stream knows about one resource type: the names tracked and the versions the proxy holds.</summary>
internal sealed class DeltaSubscription
{
    public DeltaSubscription(string typeUrl)
    {
        TypeUrl = typeUrl;
    }

    public string TypeUrl { get; }

    public bool Wildcard { get; set; }

    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

    /// <summary>Resource versions the proxy holds: what it told us on reconnect, plus what we sent since.</summary>
    public Dictionary<string, string> Known { get; } = new(StringComparer.Ordinal);

    public string? SentVersion { get; set; }

    public string? SentNonce { get; set; }

    /// <summary>True when <paramref name="name"/> is wanted: named, or covered by the wildcard.</summary>
    public bool InScope(string name) => Wildcard || Names.Contains(name);
}
