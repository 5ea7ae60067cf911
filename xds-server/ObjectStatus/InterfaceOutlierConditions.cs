using System.Globalization;
using k8s.Models;

namespace ControlPlane.XdsServer.ObjectStatus;

/// <summary>
/// The conditions an xds-server writes into an InterfaceOutlierDetection's status, decided from what
/// it observed and what the status already says, so that several replicas agree (or at least never
/// undo each other): <see cref="Accepted"/> follows the spec and the mesh, which every replica reads
/// alike; <see cref="MosnIgnores"/> only ever turns True within a generation (any replica that served a
/// MOSN proxy one of the object's clusters says so; none says False over it), and starts again at False
/// with each new generation.
/// </summary>
public static class InterfaceOutlierConditions
{
    public const string Accepted = "Accepted";
    public const string MosnIgnores = "MosnIgnoresOutlierDetection";

    /// <summary>Longest message written (errors are bounded already; this keeps the object small whatever comes).</summary>
    public const int MaxMessageLength = 1024;

    /// <summary>
    /// The status to write, or null when <paramref name="current"/> already says it. <paramref name="generation"/>
    /// is the object's metadata.generation; the caller checks it is the one <paramref name="observed"/> describes.
    /// </summary>
    /// <param name="usage">What the object does in the mesh now: "in use for ..." or why it is shadowed.</param>
    /// <param name="shadowed">True when an older object takes its host and port.</param>
    public static InterfaceOutlierDetectionStatus? Desired(
        long generation,
        InterfaceOutlierStatusTracker.Entry observed,
        bool shadowed,
        string usage,
        InterfaceOutlierDetectionStatus? current,
        DateTime now)
    {
        var accepted = observed.Observation.Error is { } error
            ? Condition(Accepted, "False", "Invalid", $"{error}; the last valid spec, if any, stays in use", generation)
            : shadowed
                ? Condition(Accepted, "False", "Conflict", usage, generation)
                : Condition(Accepted, "True", Accepted, usage, generation);

        var existingMosn = current?.Conditions?.FirstOrDefault(c => c.Type == MosnIgnores);
        V1Condition mosn;
        if (existingMosn is { Status: "True" } && existingMosn.ObservedGeneration == generation)
        {
            mosn = existingMosn;
        }
        else if (observed.Mosn is { } receipt)
        {
            mosn = Condition(
                MosnIgnores,
                "True",
                "MosnProxyReceived",
                $"MOSN proxy {receipt.ProxyId} received cluster {receipt.Cluster} at {receipt.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}; MOSN's istio-1.10 converter ignores outlier_detection, so MOSN sidecars never eject per interface (their interface routes still work, balanced over every endpoint)",
                generation);
        }
        else if (existingMosn is not null && existingMosn.ObservedGeneration == generation)
        {
            mosn = existingMosn;
        }
        else
        {
            mosn = Condition(MosnIgnores, "False", "NoMosnProxy", "no MOSN proxy has received its clusters since this generation was read", generation);
        }

        var conditions = new[] { accepted, mosn }.Select(c => WithTransition(c, current, now)).ToList();
        if (current?.ObservedGeneration == generation && current.Conditions is { } existing &&
            conditions.All(c => existing.Any(e => Same(e, c))) && existing.Count == conditions.Count)
        {
            return null;
        }

        return new InterfaceOutlierDetectionStatus { ObservedGeneration = generation, Conditions = conditions };
    }

    private static V1Condition Condition(string type, string status, string reason, string message, long generation) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        Message = message.Length <= MaxMessageLength ? message : message[..(MaxMessageLength - 3)] + "...",
        ObservedGeneration = generation,
    };

    /// <summary>The condition with the existing one's transition time when its status did not change, else now.</summary>
    private static V1Condition WithTransition(V1Condition condition, InterfaceOutlierDetectionStatus? current, DateTime now)
    {
        var existing = current?.Conditions?.FirstOrDefault(c => c.Type == condition.Type);
        condition.LastTransitionTime = existing is not null && existing.Status == condition.Status ? existing.LastTransitionTime : now;
        return condition;
    }

    private static bool Same(V1Condition a, V1Condition b) =>
        a.Type == b.Type && a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message && a.ObservedGeneration == b.ObservedGeneration;
}
