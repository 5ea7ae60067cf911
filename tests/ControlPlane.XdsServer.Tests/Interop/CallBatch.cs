using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>The results of a batch of RPCs, in the order they were started, with counts by backend and status.</summary>
public sealed class CallBatch
{
    public CallBatch(IReadOnlyList<CallResult> results)
    {
        Results = results;
    }

    public IReadOnlyList<CallResult> Results { get; }

    /// <summary>Successful calls per backend name.</summary>
    public IReadOnlyDictionary<string, int> ByBackend =>
        Results.Where(r => r.Backend is not null).GroupBy(r => r.Backend!).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Calls per status.</summary>
    public IReadOnlyDictionary<StatusCode, int> ByCode =>
        Results.GroupBy(r => r.Code).ToDictionary(g => g.Key, g => g.Count());

    public int CountFrom(string backend) => Results.Count(r => r.Backend == backend);

    public int CountOf(StatusCode code) => Results.Count(r => r.Code == code);

    /// <summary>A short summary for assertion messages: calls per backend and per status, and the first failure's details.</summary>
    public override string ToString() =>
        $"backends {{{string.Join(", ", ByBackend.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}}}, " +
        $"codes {{{string.Join(", ", ByCode.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}}}" +
        (Results.FirstOrDefault(r => r.Code != StatusCode.OK) is { } failed ? $", first failure: {failed.Details}" : string.Empty);
}
