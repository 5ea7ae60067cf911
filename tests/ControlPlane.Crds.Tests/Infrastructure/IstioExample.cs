using YamlDotNet.RepresentationModel;

namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>One custom resource from a file under examples/istio/.</summary>
public sealed record IstioExample(string FileName, string ApiVersion, string Kind, string? Namespace, YamlMappingNode Document)
{
    /// <summary>
    /// The object without apiVersion, kind and metadata: the API server checks those itself and CRD schemas
    /// (like Istio's) leave them out, so only the rest is validated against the schema.
    /// </summary>
    public YamlMappingNode Body()
    {
        var body = new YamlMappingNode();
        foreach (var (key, value) in Document.Children)
        {
            if (((YamlScalarNode)key).Value is not ("apiVersion" or "kind" or "metadata"))
            {
                body.Add(key, value);
            }
        }

        return body;
    }
}
