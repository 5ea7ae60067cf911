using System.Collections.Immutable;
using System.Text;
using Envoy.Config.Core.V3;
using Google.Protobuf;

namespace ControlPlane.XdsServer.Delivery.Wire;

/// <summary>
/// A state-of-the-world DiscoveryRequest as the server reads it. Envoy repeats every name it
/// subscribes to in each ACK (a thousand EDS names, tens of kilobytes, on every push), so the names
/// are only fingerprinted from their bytes as they arrive; strings are made of them when the
/// fingerprint says the subscription changed (<see cref="Names"/>). The node, which only the first
/// request needs, is parsed when asked for.
/// </summary>
public sealed class SotwRequest
{
    private readonly byte[] _payload;
    private readonly List<(int Offset, int Length)> _names;
    private readonly (int Offset, int Length)? _node;
    private readonly (int Offset, int Length)? _errorDetail;
    private Node? _parsedNode;

    private SotwRequest(byte[] payload, List<(int, int)> names, (int, int)? node, (int, int)? errorDetail, string versionInfo, string typeUrl, string responseNonce, bool wildcardNamed, NameSetFingerprint fingerprint)
    {
        _payload = payload;
        _names = names;
        _node = node;
        _errorDetail = errorDetail;
        VersionInfo = versionInfo;
        TypeUrl = typeUrl;
        ResponseNonce = responseNonce;
        NamesWildcard = wildcardNamed;
        NamesFingerprint = fingerprint;
    }

    public string VersionInfo { get; }

    public string TypeUrl { get; }

    public string ResponseNonce { get; }

    /// <summary>resource_names has entries (the special name "*" included).</summary>
    public bool HasNames => _names.Count > 0;

    /// <summary>resource_names includes "*".</summary>
    public bool NamesWildcard { get; }

    /// <summary>The fingerprint of resource_names without "*" (duplicates counted).</summary>
    public NameSetFingerprint NamesFingerprint { get; }

    public Node? Node => _node is { } node ? _parsedNode ??= Node.Parser.ParseFrom(_payload, node.Offset, node.Length) : null;

    public Google.Rpc.Status? ErrorDetail => _errorDetail is { } error ? Google.Rpc.Status.Parser.ParseFrom(_payload, error.Offset, error.Length) : null;

    /// <summary>resource_names without "*", as strings.</summary>
    public IReadOnlyList<string> Names() =>
        _names.Select(n => Encoding.UTF8.GetString(_payload, n.Offset, n.Length)).Where(n => n != "*").ToList();

    /// <summary>Reads a serialized DiscoveryRequest (envoy.service.discovery.v3, fields 1-7).</summary>
    /// <exception cref="Google.Protobuf.InvalidProtocolBufferException">The bytes are not a DiscoveryRequest.</exception>
    public static SotwRequest Parse(byte[] payload)
    {
        try
        {
            return Read(payload);
        }
        catch (FormatException)
        {
            // Protobuf's own parser says what is wrong (and throws); if it reads what this reader
            // refused, its canonical bytes are read instead.
            return Read(Envoy.Service.Discovery.V3.DiscoveryRequest.Parser.ParseFrom(payload).ToByteArray());
        }
    }

    private static SotwRequest Read(byte[] payload)
    {
        var reader = new WireReader(payload);
        var names = new List<(int, int)>();
        (int, int)? node = null;
        (int, int)? error = null;
        string version = string.Empty, typeUrl = string.Empty, nonce = string.Empty;
        var wildcard = false;
        var count = 0;
        ulong sum = 0, mixed = 0;
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            if (wireType != WireReader.LengthDelimited)
            {
                reader.Skip(wireType);
                continue;
            }

            var (offset, length) = reader.ReadLengthDelimited();
            switch (field)
            {
                case 1:
                    version = Encoding.UTF8.GetString(payload, offset, length);
                    break;
                case 2:
                    node = (offset, length);
                    break;
                case 3:
                    names.Add((offset, length));
                    var span = payload.AsSpan(offset, length);
                    if (span.SequenceEqual("*"u8))
                    {
                        wildcard = true;
                        break;
                    }

                    var hash = NameSetFingerprint.HashOf(span);
                    count++;
                    sum += hash;
                    mixed += NameSetFingerprint.Mix(hash);
                    break;
                case 4:
                    typeUrl = Encoding.UTF8.GetString(payload, offset, length);
                    break;
                case 5:
                    nonce = Encoding.UTF8.GetString(payload, offset, length);
                    break;
                case 6:
                    error = (offset, length);
                    break;
            }
        }

        return new SotwRequest(payload, names, node, error, version, typeUrl, nonce, wildcard, new NameSetFingerprint(count, sum, mixed));
    }

    /// <summary>The names as an interned set, for a subscription that changed.</summary>
    internal (ImmutableHashSet<string> Names, NameSetFingerprint Fingerprint) InternNames(NameSets nameSets) => nameSets.Intern(NamesFingerprint, Names);
}
