using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlPlane.XdsServer.Tests.Indexes;

/// <summary>Snapshots made from YAML, through the same reader, translator and store the server uses.</summary>
internal sealed class IndexMesh
{
    private readonly MeshObjectStore _store = new(NullLogger<MeshObjectStore>.Instance);

    public MeshSnapshot Current => _store.Current;

    public static MeshSnapshot Of(params string[] documents) => new IndexMesh().Set(documents);

    /// <summary>Makes <paramref name="documents"/> the whole mesh; unchanged objects keep their instances.</summary>
    public MeshSnapshot Set(params string[] documents)
    {
        var (objects, errors) = new ManifestFileLoader(new MeshObjectTranslator()).Load(string.Join("\n---\n", documents));
        errors.Should().BeEmpty();
        _store.Replace("test", objects);
        return _store.Current;
    }

    /// <summary>An Istio object of <paramref name="kind"/> with <paramref name="spec"/> (YAML, indented by two), created at second <paramref name="createdSecond"/>.</summary>
    public static string IstioObject(string kind, string ns, string name, string spec, int createdSecond = 0) => $"""
        apiVersion: networking.istio.io/v1alpha3
        kind: {kind}
        metadata:
          name: {name}
          namespace: {ns}
          creationTimestamp: "2021-05-18T10:00:{createdSecond:00}Z"
        spec:
        {spec}
        """;
}
