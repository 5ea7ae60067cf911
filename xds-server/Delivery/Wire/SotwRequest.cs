using System.Buffers;
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
/// <remarks>
/// The bytes live in a buffer rented from <see cref="ArrayPool{T}.Shared"/>, as copying each ACK
/// into a new array was a sixth of what the server allocated in a push to 2,000 proxies. An ACK
/// naming a set some stream already holds gives it back while it is parsed (see
/// <see cref="Parse(ReadOnlySequence{byte}, NameSets?)"/>); otherwise the stream that handles the
/// request does (<see cref="Release"/>), and a request dropped unhandled (its stream ended) just
/// leaves its buffer to the garbage collector.
/// </remarks>
public sealed class SotwRequest
{
    private readonly (int Offset, int Length)? _node;
    private readonly (int Offset, int Length)? _errorDetail;
    private readonly int _length;
    private readonly bool _pooled;
    private byte[]? _payload;
    private Node? _parsedNode;
    private ImmutableHashSet<string>? _knownNames;

    private SotwRequest(byte[] payload, int length, bool pooled, (int, int)? node, (int, int)? errorDetail, string versionInfo, string typeUrl, string responseNonce, bool hasNames, bool wildcardNamed, NameSetFingerprint fingerprint)
    {
        _payload = payload;
        _length = length;
        _pooled = pooled;
        _node = node;
        _errorDetail = errorDetail;
        VersionInfo = versionInfo;
        TypeUrl = typeUrl;
        ResponseNonce = responseNonce;
        HasNames = hasNames;
        NamesWildcard = wildcardNamed;
        NamesFingerprint = fingerprint;
    }

    public string VersionInfo { get; }

    /// <summary>The serialized request's size, bytes.</summary>
    public int Length => _length;

    public string TypeUrl { get; }

    public string ResponseNonce { get; }

    /// <summary>resource_names has entries (the special name "*" included).</summary>
    public bool HasNames { get; }

    /// <summary>resource_names includes "*".</summary>
    public bool NamesWildcard { get; }

    /// <summary>The fingerprint of resource_names without "*" (duplicates counted).</summary>
    public NameSetFingerprint NamesFingerprint { get; }

    /// <exception cref="ObjectDisposedException">After <see cref="Release"/>.</exception>
    public Node? Node => _node is { } node ? _parsedNode ??= Node.Parser.ParseFrom(Payload, node.Offset, node.Length) : null;

    /// <exception cref="ObjectDisposedException">After <see cref="Release"/>.</exception>
    public Google.Rpc.Status? ErrorDetail => _errorDetail is { } error ? Google.Rpc.Status.Parser.ParseFrom(Payload, error.Offset, error.Length) : null;

    private byte[] Payload => _payload ?? throw new ObjectDisposedException(nameof(SotwRequest), "the request's buffer was released");

    /// <summary>resource_names without "*", as strings, in request order.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Release"/>.</exception>
    public IReadOnlyList<string> Names()
    {
        var payload = Payload;
        var names = new List<string>(NamesFingerprint.Count);
        var reader = new WireReader(payload.AsSpan(0, _length));
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            if (wireType != WireReader.LengthDelimited)
            {
                reader.Skip(field, wireType);
                continue;
            }

            var (offset, length) = reader.ReadLengthDelimited();
            if (field == 3 && !payload.AsSpan(offset, length).SequenceEqual("*"u8))
            {
                names.Add(Encoding.UTF8.GetString(payload, offset, length));
            }
        }

        return names;
    }

    /// <summary>
    /// Gives the buffer back to the pool. The request's strings and fingerprint stay readable;
    /// <see cref="Node"/> (unless read before), <see cref="ErrorDetail"/> and <see cref="Names"/> throw.
    /// </summary>
    public void Release()
    {
        var payload = Interlocked.Exchange(ref _payload, null);
        if (_pooled && payload is not null)
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>Reads a serialized DiscoveryRequest (envoy.service.discovery.v3, fields 1-7).</summary>
    /// <exception cref="Google.Protobuf.InvalidProtocolBufferException">The bytes are not a DiscoveryRequest.</exception>
    public static SotwRequest Parse(byte[] payload) => ReadCopy(new ReadOnlySequence<byte>(payload));

    /// <summary>
    /// Reads a serialized DiscoveryRequest from a copy of <paramref name="payload"/> in a pooled
    /// buffer. When <paramref name="known"/> already holds a set of the names asked for, and the
    /// request carries no node and no error detail (an ACK, the usual request), the request keeps
    /// that set and gives the buffer back at once: nothing will read the bytes again, and a buffer
    /// returned while still warm is the one the next request gets.
    /// </summary>
    /// <exception cref="Google.Protobuf.InvalidProtocolBufferException">The bytes are not a DiscoveryRequest.</exception>
    public static SotwRequest Parse(ReadOnlySequence<byte> payload, NameSets? known = null)
    {
        var request = ReadCopy(payload);
        if (known is not null && request._node is null && request._errorDetail is null && known.TryGet(request.NamesFingerprint, out var names))
        {
            request._knownNames = names;
            request.Release();
        }

        return request;
    }

    private static SotwRequest ReadCopy(ReadOnlySequence<byte> payload)
    {
        var length = checked((int)payload.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        payload.CopyTo(buffer);
        var kept = false;
        try
        {
            var request = Read(buffer, length, pooled: true);
            kept = true;
            return request;
        }
        catch (FormatException)
        {
            // Protobuf's own parser says what is wrong (and throws); if it reads what this reader
            // refused, its canonical bytes are read instead.
            var canonical = Envoy.Service.Discovery.V3.DiscoveryRequest.Parser.ParseFrom(buffer, 0, length).ToByteArray();
            return Read(canonical, canonical.Length, pooled: false);
        }
        finally
        {
            if (!kept)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static SotwRequest Read(byte[] payload, int payloadLength, bool pooled)
    {
        var reader = new WireReader(payload.AsSpan(0, payloadLength));
        (int, int)? node = null;
        (int, int)? error = null;
        string version = string.Empty, typeUrl = string.Empty, nonce = string.Empty;
        var wildcard = false;
        var hasNames = false;
        var count = 0;
        ulong sum = 0, mixed = 0;
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            if (wireType != WireReader.LengthDelimited)
            {
                reader.Skip(field, wireType);
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
                    hasNames = true;
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

        return new SotwRequest(payload, payloadLength, pooled, node, error, version, typeUrl, nonce, hasNames, wildcard, new NameSetFingerprint(count, sum, mixed));
    }

    /// <summary>The names as an interned set, for a subscription that changed.</summary>
    internal (ImmutableHashSet<string> Names, NameSetFingerprint Fingerprint) InternNames(NameSets nameSets) =>
        _knownNames is { } known ? (known, NamesFingerprint) : nameSets.Intern(NamesFingerprint, Names);
}
