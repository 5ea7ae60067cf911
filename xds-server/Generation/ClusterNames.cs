using System.Globalization;

namespace ControlPlane.XdsServer.Generation;

/// <summary>
/// Reads the outbound cluster names istiod 1.10 writes (<c>outbound|PORT|SUBSET|HOST</c>, see
/// <see cref="MeshNames.OutboundCluster"/>) and ours for an interface of an InterfaceOutlierDetection,
/// which adds a fifth field <c>interface-NAME</c>; istiod's ParseSubsetKey reads the first four of
/// those as it reads any outbound name.
/// </summary>
public static class ClusterNames
{
    /// <summary>What the fifth field of an interface cluster's name starts with.</summary>
    public const string InterfacePrefix = "interface-";

    /// <summary>The cluster of interface <paramref name="interfaceName"/> made from <paramref name="cluster"/>.</summary>
    public static string Interface(string cluster, string interfaceName) => $"{cluster}|{InterfacePrefix}{interfaceName}";

    /// <summary>Port, subset (null when none), host and interface (null when none) of an outbound cluster name; null for any other name.</summary>
    public static (int Port, string? Subset, string Host, string? Interface)? ParseOutbound(string name)
    {
        var parts = name.Split('|');
        if (parts.Length is not (4 or 5) || parts[0] != "outbound" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || parts[3].Length == 0)
        {
            return null;
        }

        string? iface = null;
        if (parts.Length == 5)
        {
            if (!parts[4].StartsWith(InterfacePrefix, StringComparison.Ordinal) || parts[4].Length == InterfacePrefix.Length)
            {
                return null;
            }

            iface = parts[4][InterfacePrefix.Length..];
        }

        return (port, parts[2].Length == 0 ? null : parts[2], parts[3], iface);
    }
}
