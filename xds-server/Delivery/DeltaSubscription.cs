using System.Collections.Immutable;

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

    /// <summary>Names subscribed explicitly; shared with other streams that track the same names.</summary>
    public ImmutableHashSet<string> Names { get; private set; } = ImmutableHashSet<string>.Empty;

    public NameSetFingerprint NamesFingerprint { get; private set; }

    /// <summary>Resource versions the proxy holds: what it told us on reconnect, plus what we sent since.</summary>
    public HeldVersions Held { get; } = new();

    public string? SentVersion { get; set; }

    public string? SentNonce { get; set; }

    /// <summary>True when <paramref name="name"/> is wanted: named, or covered by the wildcard.</summary>
    public bool InScope(string name) => Wildcard || Names.Contains(name);

    /// <summary>Applies a request's subscribes and unsubscribes (not "*") to the tracked names.</summary>
    public void ChangeNames(IEnumerable<string> subscribe, IEnumerable<string> unsubscribe, NameSets nameSets)
    {
        var names = Names.Union(subscribe).Except(unsubscribe);
        if (names != Names)
        {
            (Names, NamesFingerprint) = nameSets.Intern(names);
        }
    }
}
