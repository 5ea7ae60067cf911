namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>One YAML document of rendered output, with the fields that say what it is.</summary>
public sealed record ManifestDocument(string ApiVersion, string Kind, string Name, string? Namespace, string Yaml)
{
    public override string ToString() => $"{Kind} {ApiVersion} {Namespace}/{Name}";
}
