using System.Collections.Immutable;
using ControlPlane.XdsServer.Generation;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// What one state-of-the-world stream knows about one resource type: which names the proxy asked
/// for, and the last response sent. Exists from the first request of that type on the stream; a
/// type with no subscription has never been asked for on this stream, whatever nonce a request
/// carries (a reconnecting Envoy before 1.28, and MOSN, send the previous stream's nonce).
/// </summary>
internal sealed class SotwSubscription
{
    public SotwSubscription(string typeUrl)
    {
        TypeUrl = typeUrl;
    }

    public string TypeUrl { get; }

    /// <summary>"Everything": the proxy named "*", or (legacy) has never named anything (CDS and LDS only).</summary>
    public bool Wildcard { get; private set; }

    /// <summary>Names asked for, besides the wildcard.</summary>
    public ImmutableHashSet<string> Names { get; private set; } = ImmutableHashSet<string>.Empty;

    /// <summary>Once a request named something, an empty list means "nothing" rather than the legacy wildcard.</summary>
    public bool NamedExplicitly { get; private set; }

    public string? SentVersion { get; set; }

    /// <summary>
    /// The whole resource set the last response completed, when the proxy asked for all of it; a
    /// push may then send only what changed since. Null after a NACK or a response by name.
    /// </summary>
    public ResourceSet? SentSet { get; set; }

    public string? SentNonce { get; set; }

    /// <summary>The nonce of the last response the proxy ACKed or NACKed.</summary>
    public string? AnsweredNonce { get; set; }

    /// <summary>True while the last response sent has not been ACKed or NACKed.</summary>
    public bool AwaitingAnswer => SentNonce is not null && SentNonce != AnsweredNonce;

    /// <summary>
    /// Takes the names of <paramref name="request"/> as the whole subscription, as the xDS protocol's
    /// "How the client specifies what resources to return" says, and tells whether it changed.
    /// </summary>
    public bool Update(DiscoveryRequest request, NameSets nameSets)
    {
        var requested = request.ResourceNames;
        var explicitly = NamedExplicitly || requested.Count > 0;
        var hasWildcard = requested.Contains("*");
        var wildcard = hasWildcard || (!explicitly && AllowsWildcard(TypeUrl));
        var (names, fingerprint) = nameSets.Intern(hasWildcard ? requested.Where(n => n != "*").ToList() : requested);
        var changed = wildcard != Wildcard || fingerprint != NamesFingerprint;
        Wildcard = wildcard;
        Names = names;
        NamesFingerprint = fingerprint;
        NamedExplicitly = explicitly;
        return changed;
    }

    /// <summary>The fingerprint of <see cref="Names"/>: a stream asking for exactly a whole set is recognised by it.</summary>
    public NameSetFingerprint NamesFingerprint { get; private set; }

    /// <summary>Only listeners and clusters have a wildcard; an empty EDS or RDS request asks for nothing.</summary>
    private static bool AllowsWildcard(string typeUrl) => typeUrl is TypeUrls.Cluster or TypeUrls.Listener;
}
