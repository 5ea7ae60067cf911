using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// Reads ADS responses straight from the wire (DiscoveryResponse and DeltaDiscoveryResponse) into
/// <see cref="XdsResponse"/>: the scalars, the names an Envoy would subscribe to next, and which
/// of the current probe's expectations the bytes meet. Resources are never materialized.
/// </summary>
internal static class ResponseReader
{
    /// <exception cref="FormatException">The bytes are not a response of a sidecar's four types.</exception>
    public static XdsResponse ReadSotw(ReadOnlySpan<byte> payload, long receivedAt)
    {
        ReadOnlySpan<byte> version = default, typeUrl = default, nonce = default;
        var reader = new ProtoReader(payload);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1 when reader.WireType == 2: version = reader.ReadBytes(); break;
                case 4 when reader.WireType == 2: typeUrl = reader.ReadBytes(); break;
                case 5 when reader.WireType == 2: nonce = reader.ReadBytes(); break;
                default: reader.Skip(); break;
            }
        }

        var type = TypeOf(typeUrl);
        var probe = Probe.Current;
        return new XdsResponse
        {
            Type = type,
            Version = NameCache.Intern(version),
            Nonce = NameCache.Intern(nonce),
            Bytes = payload.Length,
            ReceivedAt = receivedAt,
            Probe = probe,
            Hits = probe?.Match(type, payload) ?? 0,
            Names = type is XdsType.Cluster or XdsType.Listener ? SubscriptionNames(payload, type) : [],
            Resources = [],
            Removed = [],
        };
    }

    /// <exception cref="FormatException">The bytes are not a delta response of a sidecar's four types.</exception>
    public static XdsResponse ReadDelta(ReadOnlySpan<byte> payload, long receivedAt)
    {
        ReadOnlySpan<byte> version = default, typeUrl = default, nonce = default;
        var resourceCount = 0;
        var removed = new List<string>();
        var reader = new ProtoReader(payload);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1 when reader.WireType == 2: version = reader.ReadBytes(); break;
                case 2 when reader.WireType == 2: reader.ReadBytes(); resourceCount++; break;
                case 4 when reader.WireType == 2: typeUrl = reader.ReadBytes(); break;
                case 5 when reader.WireType == 2: nonce = reader.ReadBytes(); break;
                case 6 when reader.WireType == 2: removed.Add(NameCache.Intern(reader.ReadBytes())); break;
                default: reader.Skip(); break;
            }
        }

        var type = TypeOf(typeUrl);
        var resources = new DeltaResource[resourceCount];
        var index = 0;
        reader = new ProtoReader(payload);
        while (reader.Next())
        {
            if (reader.Field == 2 && reader.WireType == 2)
            {
                resources[index++] = ReadResource(reader.ReadBytes(), type);
            }
            else
            {
                reader.Skip();
            }
        }

        var probe = Probe.Current;
        return new XdsResponse
        {
            Type = type,
            Version = NameCache.Intern(version),
            Nonce = NameCache.Intern(nonce),
            Bytes = payload.Length,
            ReceivedAt = receivedAt,
            Probe = probe,
            Hits = probe?.Match(type, payload) ?? 0,
            Names = [],
            Resources = resources,
            Removed = removed.ToArray(),
        };
    }

    private static XdsType TypeOf(ReadOnlySpan<byte> typeUrl) =>
        XdsTypes.Parse(typeUrl) ?? throw new FormatException($"response of type '{System.Text.Encoding.UTF8.GetString(typeUrl)}', which a sidecar does not ask for");

    private static DeltaResource ReadResource(ReadOnlySpan<byte> resource, XdsType type)
    {
        ReadOnlySpan<byte> name = default, version = default, body = default;
        var reader = new ProtoReader(resource);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1 when reader.WireType == 2: version = reader.ReadBytes(); break;
                case 2 when reader.WireType == 2: body = reader.ReadBytes(); break;
                case 3 when reader.WireType == 2: name = reader.ReadBytes(); break;
                default: reader.Skip(); break;
            }
        }

        var derived = Array.Empty<string>();
        if (type is XdsType.Cluster or XdsType.Listener && AnyValue(body, type) is { IsEmpty: false } value)
        {
            var ranges = new List<(int Start, int Length)>();
            CollectNames(value, type, value, ranges);
            derived = type == XdsType.Cluster && ranges.Count == 1
                ? NameCache.Single(NameCache.Intern(value.Slice(ranges[0].Start, ranges[0].Length)))
                : Materialize(value, ranges);
        }

        return new DeltaResource(NameCache.Intern(name), NameCache.Intern(version), derived);
    }

    /// <summary>The names a SotW CDS or LDS response makes the proxy subscribe to, sorted and shared.</summary>
    private static string[] SubscriptionNames(ReadOnlySpan<byte> payload, XdsType type)
    {
        var ranges = new List<(int Start, int Length)>();
        var reader = new ProtoReader(payload);
        while (reader.Next())
        {
            if (reader.Field != 2 || reader.WireType != 2)
            {
                reader.Skip();
            }
            else if (AnyValue(reader.ReadBytes(), type) is { IsEmpty: false } value)
            {
                CollectNames(value, type, payload, ranges);
            }
        }

        var hash = NameCache.HashSeed;
        foreach (var (start, length) in ranges)
        {
            hash = NameCache.Hash(hash, payload.Slice(start, length));
        }

        return NameCache.TryGetList(hash, ranges.Count, out var known)
            ? known
            : NameCache.AddList(hash, ranges.Count, Materialize(payload, ranges));
    }

    private static string[] Materialize(ReadOnlySpan<byte> within, List<(int Start, int Length)> ranges)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (start, length) in ranges)
        {
            names.Add(NameCache.Intern(within.Slice(start, length)));
        }

        return names.ToArray();
    }

    /// <summary>The value of a google.protobuf.Any whose type URL is <paramref name="type"/>'s resource; empty otherwise.</summary>
    private static ReadOnlySpan<byte> AnyValue(ReadOnlySpan<byte> any, XdsType type)
    {
        ReadOnlySpan<byte> url = default, value = default;
        var reader = new ProtoReader(any);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1 when reader.WireType == 2: url = reader.ReadBytes(); break;
                case 2 when reader.WireType == 2: value = reader.ReadBytes(); break;
                default: reader.Skip(); break;
            }
        }

        return url.SequenceEqual(XdsTypes.UrlBytesOf(type)) ? value : default;
    }

    /// <summary>Adds, as ranges within <paramref name="within"/>, the names one resource makes the proxy subscribe to.</summary>
    private static void CollectNames(ReadOnlySpan<byte> resource, XdsType type, ReadOnlySpan<byte> within, List<(int Start, int Length)> ranges)
    {
        if (type == XdsType.Cluster)
        {
            var name = EdsServiceName(resource);
            if (!name.IsEmpty)
            {
                ranges.Add((OffsetOf(within, name), name.Length));
            }

            return;
        }

        var reader = new ProtoReader(resource);
        while (reader.Next())
        {
            // filter_chains (3) and default_filter_chain (25) hold the HTTP connection managers.
            if (reader.Field is 3 or 25 && reader.WireType == 2)
            {
                CollectRouteNames(reader.ReadBytes(), within, ranges);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Cluster: eds_cluster_config.service_name (or the cluster's name) when its type is EDS; empty otherwise.</summary>
    private static ReadOnlySpan<byte> EdsServiceName(ReadOnlySpan<byte> cluster)
    {
        ReadOnlySpan<byte> name = default, serviceName = default;
        var isEds = false;
        var reader = new ProtoReader(cluster);
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1 when reader.WireType == 2: name = reader.ReadBytes(); break;
                case 2 when reader.WireType == 0: isEds = reader.ReadVarint() == 3; break;
                case 3 when reader.WireType == 2:
                    var config = new ProtoReader(reader.ReadBytes());
                    while (config.Next())
                    {
                        if (config.Field == 2 && config.WireType == 2)
                        {
                            serviceName = config.ReadBytes();
                        }
                        else
                        {
                            config.Skip();
                        }
                    }

                    break;
                default: reader.Skip(); break;
            }
        }

        return !isEds ? default : serviceName.IsEmpty ? name : serviceName;
    }

    /// <summary>FilterChain → filters → typed_config (HttpConnectionManager) → rds.route_config_name.</summary>
    private static void CollectRouteNames(ReadOnlySpan<byte> filterChain, ReadOnlySpan<byte> within, List<(int Start, int Length)> ranges)
    {
        var chain = new ProtoReader(filterChain);
        while (chain.Next())
        {
            if (chain.Field != 3 || chain.WireType != 2)
            {
                chain.Skip();
                continue;
            }

            var filter = new ProtoReader(chain.ReadBytes());
            while (filter.Next())
            {
                if (filter.Field != 4 || filter.WireType != 2)
                {
                    filter.Skip();
                    continue;
                }

                ReadOnlySpan<byte> url = default, value = default;
                var any = new ProtoReader(filter.ReadBytes());
                while (any.Next())
                {
                    switch (any.Field)
                    {
                        case 1 when any.WireType == 2: url = any.ReadBytes(); break;
                        case 2 when any.WireType == 2: value = any.ReadBytes(); break;
                        default: any.Skip(); break;
                    }
                }

                if (url.SequenceEqual(XdsTypes.HttpConnectionManagerUrlBytes) && RouteConfigName(value) is { IsEmpty: false } route)
                {
                    ranges.Add((OffsetOf(within, route), route.Length));
                }
            }
        }
    }

    private static ReadOnlySpan<byte> RouteConfigName(ReadOnlySpan<byte> manager)
    {
        var reader = new ProtoReader(manager);
        while (reader.Next())
        {
            if (reader.Field == 3 && reader.WireType == 2)
            {
                var rds = new ProtoReader(reader.ReadBytes());
                while (rds.Next())
                {
                    if (rds.Field == 2 && rds.WireType == 2)
                    {
                        return rds.ReadBytes();
                    }

                    rds.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return default;
    }

    private static int OffsetOf(ReadOnlySpan<byte> within, ReadOnlySpan<byte> part) =>
        (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(within), ref MemoryMarshal.GetReference(part));
}
