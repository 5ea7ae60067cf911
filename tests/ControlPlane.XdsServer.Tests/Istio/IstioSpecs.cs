using ControlPlane.Mesh.Istio.Parsing;
using ControlPlane.Mesh.Kubernetes;

namespace ControlPlane.XdsServer.Tests.Istio;

/// <summary>Parses an Istio spec written as YAML (as kubectl would send it) with its kind's parser.</summary>
internal static class IstioSpecs
{
    public static (object? Spec, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings) Parse(string kind, string specYaml, string ns = "default", string name = "test")
    {
        var json = YamlToJson.Convert(specYaml);
        using var document = System.Text.Json.JsonDocument.Parse(json?.ToJsonString() ?? "null");
        var spec = document.RootElement.Clone();
        return kind switch
        {
            "VirtualService" => Unpack(VirtualServiceParser.Parse(spec, ns, name)),
            "DestinationRule" => Unpack(DestinationRuleParser.Parse(spec, ns, name)),
            "ServiceEntry" => Unpack(ServiceEntryParser.Parse(spec, ns, name)),
            "WorkloadEntry" => Unpack(WorkloadEntryParser.Parse(spec, ns, name)),
            "Gateway" => Unpack(GatewayParser.Parse(spec, ns, name)),
            "Sidecar" => Unpack(SidecarParser.Parse(spec, ns, name)),
            "InterfaceOutlierDetection" => Unpack(InterfaceOutlierDetectionParser.Parse(spec, ns, name)),
            _ => throw new ArgumentException(kind),
        };
    }

    private static (object?, IReadOnlyList<string>, IReadOnlyList<string>) Unpack<T>(IstioParseResult<T> result)
        where T : class => (result.Spec, result.Errors, result.Warnings);
}
