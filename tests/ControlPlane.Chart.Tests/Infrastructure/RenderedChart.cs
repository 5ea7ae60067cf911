using k8s;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>The output of one `helm template`, as documents and as typed objects.</summary>
public sealed class RenderedChart(ValueSet values, IReadOnlyList<ManifestDocument> documents)
{
    public ValueSet Values { get; } = values;

    public IReadOnlyList<ManifestDocument> Documents { get; } = documents;

    /// <summary>Every document of <typeparamref name="T"/>'s apiVersion and kind, deserialized strictly
    /// (a field the model does not know is an error, so a misspelt key in a template fails).</summary>
    public IReadOnlyList<T> OfKind<T>()
    {
        var kind = KubernetesKinds.Of(typeof(T));
        return Documents
            .Where(document => (document.ApiVersion, document.Kind) == kind)
            .Select(document => KubernetesYaml.Deserialize<T>(document.Yaml, strict: true))
            .ToList();
    }

    public T Single<T>(string name)
        where T : k8s.Models.IMetadata<k8s.Models.V1ObjectMeta>
    {
        var matches = OfKind<T>().Where(item => item.Metadata.Name == name).ToList();
        matches.Should().ContainSingle(
            $"the {Values.Name} render should hold one {typeof(T).Name} named {name}; it holds {string.Join(", ", Documents)}");
        return matches[0];
    }
}
