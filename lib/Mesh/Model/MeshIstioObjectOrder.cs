namespace ControlPlane.Mesh.Model;

/// <summary>
/// istiod 1.10's sortConfigByCreationTime: older first; equal (or absent) times by "name.namespace",
/// ordinal. Objects without a creation time sort before those with one.
/// </summary>
public sealed class MeshIstioObjectOrder : IComparer<MeshIstioObject>
{
    public static MeshIstioObjectOrder Instance { get; } = new();

    public int Compare(MeshIstioObject? x, MeshIstioObject? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var byTime = Nullable.Compare(x.CreationTimestamp, y.CreationTimestamp);
        return byTime != 0 ? byTime : string.CompareOrdinal($"{x.Key.Name}.{x.Key.Namespace}", $"{y.Key.Name}.{y.Key.Namespace}");
    }
}
