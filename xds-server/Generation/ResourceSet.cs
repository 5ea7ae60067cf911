using System.Collections.Immutable;

namespace ControlPlane.XdsServer.Generation;

/// <summary>All resources of one type for one proxy view, by name.</summary>
public sealed class ResourceSet
{
    private readonly Lazy<Dictionary<string, XdsResource>> _byName;

    public ResourceSet(IEnumerable<XdsResource> resources)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, XdsResource>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            builder[resource.Name] = resource;
        }

        Resources = builder.ToImmutable();
        _byName = new Lazy<Dictionary<string, XdsResource>>(() => new Dictionary<string, XdsResource>(Resources, StringComparer.Ordinal));
    }

    public static ResourceSet Empty { get; } = new([]);

    public ImmutableSortedDictionary<string, XdsResource> Resources { get; }

    /// <summary>The resource named <paramref name="name"/>, or null: a hash lookup, as every stream asks it for every name it subscribes to.</summary>
    public XdsResource? Find(string name) => _byName.Value.GetValueOrDefault(name);
}
