using System.Collections.Immutable;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Delivery.Wire;

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

    /// <summary>The fingerprint of the names as the last request listed them (duplicates and all).</summary>
    private NameSetFingerprint _requested;

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

    /// <summary>The size of the last request of this type, bytes: the next one (an ACK naming the same) is as large.</summary>
    public int RequestBytes { get; set; }

    /// <summary>The nonce of the last response the proxy ACKed or NACKed.</summary>
    public string? AnsweredNonce { get; set; }

    /// <summary>True while the last response sent has not been ACKed or NACKed.</summary>
    public bool AwaitingAnswer => SentNonce is not null && SentNonce != AnsweredNonce;

    /// <summary>
    /// Takes the names of <paramref name="request"/> as the whole subscription, as the xDS protocol's
    /// "How the client specifies what resources to return" says, and tells whether it changed.
    /// Names become strings only when their fingerprint differs from the last request's.
    /// </summary>
    public bool Update(SotwRequest request, NameSets nameSets)
    {
        var explicitly = NamedExplicitly || request.HasNames;
        var wildcard = request.NamesWildcard || (!explicitly && AllowsWildcard(TypeUrl));
        var namesChanged = request.NamesFingerprint != _requested;
        if (namesChanged)
        {
            (Names, NamesFingerprint) = request.InternNames(nameSets);
            _requested = request.NamesFingerprint;
        }

        var changed = wildcard != Wildcard || namesChanged;
        Wildcard = wildcard;
        NamedExplicitly = explicitly;
        return changed;
    }

    /// <summary>The fingerprint of <see cref="Names"/>: a stream asking for exactly a whole set is recognised by it.</summary>
    public NameSetFingerprint NamesFingerprint { get; private set; }

    /// <summary>Only listeners and clusters have a wildcard; an empty EDS or RDS request asks for nothing.</summary>
    private static bool AllowsWildcard(string typeUrl) => typeUrl is TypeUrls.Cluster or TypeUrls.Listener;
}
