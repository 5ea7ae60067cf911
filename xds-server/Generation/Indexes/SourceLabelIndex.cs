using System.Collections.Immutable;
using ControlPlane.Mesh.Model;

namespace ControlPlane.XdsServer.Generation.Indexes;

/// <summary>
/// Every label (key and value) that some VirtualService match names in its <c>sourceLabels</c>
/// (HTTP, TCP and TLS matches, delegates included). A proxy's config depends on its labels only
/// through these, so a proxy view keeps only the labels listed here. Memoized per snapshot.
/// </summary>
public sealed class SourceLabelIndex
{
    private static readonly SnapshotMemo<int, SourceLabelIndex> Memo = new((mesh, _) => new SourceLabelIndex(mesh));

    private readonly HashSet<(string Key, string Value)> _pairs = [];

    private SourceLabelIndex(MeshSnapshot mesh)
    {
        foreach (var vs in mesh.VirtualServices.Values)
        {
            var spec = vs.Spec;
            var labelSets = spec.Http.SelectMany(r => r.Match).Select(m => m.SourceLabels)
                .Concat(spec.Tcp.SelectMany(r => r.Match).Select(m => m.SourceLabels))
                .Concat(spec.Tls.SelectMany(r => r.Match).Select(m => m.SourceLabels));
            foreach (var labels in labelSets)
            {
                foreach (var (key, value) in labels)
                {
                    _pairs.Add((key, value));
                }
            }
        }
    }

    public static SourceLabelIndex Of(MeshSnapshot mesh) => Memo.Get(mesh, 0);

    /// <summary>The labels of <paramref name="labels"/> some sourceLabels names; null when none is.</summary>
    public ImmutableSortedDictionary<string, string>? Select(IReadOnlyDictionary<string, string> labels)
    {
        if (_pairs.Count == 0)
        {
            return null;
        }

        var selected = labels.Where(l => _pairs.Contains((l.Key, l.Value))).ToList();
        return selected.Count == 0 ? null : selected.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }
}
