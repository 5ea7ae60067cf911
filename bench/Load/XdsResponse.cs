namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// What a simulated proxy keeps of one ADS response: enough to ACK it and to subscribe as Envoy
/// would, plus when it arrived and which of the running scenario's expectations it meets.
/// </summary>
internal sealed class XdsResponse
{
    public required XdsType Type { get; init; }

    /// <summary>version_info (SotW) or system_version_info (delta).</summary>
    public required string Version { get; init; }

    public required string Nonce { get; init; }

    /// <summary>Size of the serialized response, bytes.</summary>
    public required int Bytes { get; init; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp at which the whole message had arrived.</summary>
    public required long ReceivedAt { get; init; }

    /// <summary>The probe (scenario) running when it arrived, or null.</summary>
    public required Probe? Probe { get; init; }

    /// <summary>Bit i set: the response meets the probe's expectation i.</summary>
    public required ulong Hits { get; init; }

    /// <summary>
    /// SotW: the names this response makes the proxy subscribe to next, sorted (CDS: EDS service
    /// names of its EDS clusters; LDS: RDS route config names); empty for EDS and RDS. Shared between proxies.
    /// </summary>
    public required string[] Names { get; init; }

    /// <summary>Delta: the resources in the response; empty for SotW.</summary>
    public required DeltaResource[] Resources { get; init; }

    /// <summary>Delta: removed_resources; empty for SotW.</summary>
    public required string[] Removed { get; init; }
}

/// <summary>A resource of a delta response: its name, version and the names it makes the proxy subscribe to.</summary>
internal readonly record struct DeltaResource(string Name, string Version, string[] Derived);
