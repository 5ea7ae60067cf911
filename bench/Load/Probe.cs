using System.Diagnostics;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// One scenario's measurement: which proxies have received everything the change should bring them
/// (its <see cref="Expectations"/>) and when, plus the responses and bytes that arrived meanwhile.
/// Each proxy's slot is written only by that proxy's own stream loop.
/// </summary>
internal sealed class Probe
{
    private static Probe? _current;
    private readonly ulong[] _seen;
    private readonly long[] _convergedAt;
    private readonly long[] _bytes = new long[XdsTypes.Count];
    private readonly long[] _responses = new long[XdsTypes.Count];
    private readonly ulong _all;
    private long _requestBytes;
    private int _converged;
    private long _lastActivity;

    /// <exception cref="ArgumentException">More than 64 expectations.</exception>
    public Probe(string name, int proxies, IReadOnlyList<Expectation> expectations)
    {
        if (expectations.Count is 0 or > 64)
        {
            throw new ArgumentException("a probe needs 1 to 64 expectations", nameof(expectations));
        }

        Name = name;
        Expectations = expectations.ToArray();
        _seen = new ulong[proxies];
        _convergedAt = new long[proxies];
        _all = expectations.Count == 64 ? ulong.MaxValue : (1UL << expectations.Count) - 1;
        StartedAt = Stopwatch.GetTimestamp();
        _lastActivity = StartedAt;
    }

    /// <summary>The probe responses are checked against now, or null between scenarios.</summary>
    public static Probe? Current => Volatile.Read(ref _current);

    public string Name { get; }

    public Expectation[] Expectations { get; }

    /// <summary>Stopwatch timestamp of the change; latencies count from here.</summary>
    public long StartedAt { get; private set; }

    public int Proxies => _convergedAt.Length;

    public int Converged => Volatile.Read(ref _converged);

    /// <summary>Stopwatch timestamp of the newest response any proxy received during the probe.</summary>
    public long LastActivity => Interlocked.Read(ref _lastActivity);

    /// <summary>Makes this the current probe, timing from now.</summary>
    public void Start()
    {
        StartedAt = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _lastActivity, StartedAt);
        Volatile.Write(ref _current, this);
    }

    public void Stop() => Interlocked.CompareExchange(ref _current, null, this);

    /// <summary>Bit i set when the response (of <paramref name="type"/>, serialized as <paramref name="payload"/>) meets expectation i.</summary>
    public ulong Match(XdsType type, ReadOnlySpan<byte> payload)
    {
        ulong hits = 0;
        for (var i = 0; i < Expectations.Length; i++)
        {
            var expectation = Expectations[i];
            if (expectation.Type == type && (expectation.Marker is null || payload.IndexOf(expectation.Marker) >= 0))
            {
                hits |= 1UL << i;
            }
        }

        return hits;
    }

    /// <summary>Counts a response proxy <paramref name="proxy"/> received while this probe ran.</summary>
    public void Record(int proxy, XdsResponse response)
    {
        Interlocked.Add(ref _bytes[(int)response.Type], response.Bytes);
        Interlocked.Increment(ref _responses[(int)response.Type]);
        long last;
        while ((last = Interlocked.Read(ref _lastActivity)) < response.ReceivedAt
            && Interlocked.CompareExchange(ref _lastActivity, response.ReceivedAt, last) != last)
        {
        }

        if (response.Hits == 0 || _convergedAt[proxy] != 0)
        {
            return;
        }

        _seen[proxy] |= response.Hits;
        if ((_seen[proxy] & _all) == _all)
        {
            _convergedAt[proxy] = Math.Max(response.ReceivedAt, StartedAt + 1);
            Interlocked.Increment(ref _converged);
        }
    }

    /// <summary>Per proxy, milliseconds from the change to the last expected response; +∞ for proxies that never got it.</summary>
    public double[] LatenciesMs() =>
        _convergedAt.Select(at => at == 0 ? double.PositiveInfinity : Stopwatch.GetElapsedTime(StartedAt, at).TotalMilliseconds).ToArray();

    public long BytesOf(XdsType type) => Interlocked.Read(ref _bytes[(int)type]);

    /// <summary>Serialized request bytes (requests and ACKs) the proxies sent while this probe ran.</summary>
    public long RequestBytes => Interlocked.Read(ref _requestBytes);

    /// <summary>Counts a request of <paramref name="bytes"/> bytes some proxy sent while this probe ran.</summary>
    public void RecordRequest(int bytes) => Interlocked.Add(ref _requestBytes, bytes);

    public long ResponsesOf(XdsType type) => Interlocked.Read(ref _responses[(int)type]);
}
