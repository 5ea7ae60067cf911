using System.Collections.Immutable;

namespace ControlPlane.XdsServer.Generation;

/// <summary>All resources of one type for one proxy view, by name.</summary>
public sealed class ResourceSet
{
    public ResourceSet(IEnumerable<XdsResource> resources)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, XdsResource>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            builder[resource.Name] = resource;
        }

        Resources = builder.ToImmutable();
    }

    public static ResourceSet Empty { get; } = new([]);

    public ImmutableSortedDictionary<string, XdsResource> Resources { get; }

    public XdsResource? Find(string name) => Resources.GetValueOrDefault(name);
}
