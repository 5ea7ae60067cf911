using System.Text;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// Writes the generated mesh into a --config-dir for the xds-server (one file per service holding
/// its Service and EndpointSlice; Istio VirtualServices and DestinationRules under istio/), and makes
/// the scenarios' changes there. Every write goes through a staging folder and a rename, so the
/// server never reads half a file.
/// </summary>
internal sealed class MeshWriter
{
    private readonly string _staging;

    public MeshWriter(string root, MeshShape shape)
    {
        Shape = shape;
        ConfigDir = Path.Combine(root, "config");
        _staging = Path.Combine(root, "staging");
        Directory.CreateDirectory(Path.Combine(ConfigDir, "istio"));
        Directory.CreateDirectory(_staging);
    }

    public MeshShape Shape { get; }

    public string ConfigDir { get; }

    /// <summary>Writes the whole mesh.</summary>
    public void WriteAll()
    {
        for (var s = 0; s < Shape.Services; s++)
        {
            Write($"{Shape.Name(s)}.yaml", ServiceYaml(s, extraEndpointIp: null));
        }

        foreach (var s in Shape.IstioServices())
        {
            Write($"istio/dr-{Shape.Name(s)}.yaml", DestinationRuleYaml(s));
            Write($"istio/vs-{Shape.Name(s)}.yaml", VirtualServiceYaml(s, round: 0));
        }
    }

    /// <summary>Endpoint churn: the service's slice gains a new endpoint at <paramref name="ip"/> (replacing the last churn's).</summary>
    public void ChurnEndpoints(int service, string ip) => Write($"{Shape.Name(service)}.yaml", ServiceYaml(service, ip));

    /// <summary>A new HTTP service on its own new port, so clusters, endpoints, listeners and routes all change.</summary>
    public void AddService(string name, string ns, int port, IReadOnlyList<string> ips)
    {
        var yaml = new StringBuilder();
        AppendService(yaml, name, ns, MeshShape.BenchmarkIp(60_000 + port), "http", port);
        yaml.AppendLine("---");
        AppendSlice(yaml, name, ns, "http", port, ips.Select((ip, e) => (ip, $"{name}-{e}")));
        Write($"{name}.yaml", yaml.ToString());
    }

    /// <summary>The VirtualService of <paramref name="service"/> gets a new match prefix, /bench-round-N.</summary>
    public void ChangeVirtualService(int service, int round) => Write($"istio/vs-{Shape.Name(service)}.yaml", VirtualServiceYaml(service, round));

    public static string RoundPrefix(int round) => $"/bench-round-{round}";

    private string ServiceYaml(int s, string? extraEndpointIp)
    {
        var (portName, port) = Shape.PortOf(s);
        var endpoints = Enumerable.Range(0, Shape.Endpoints).Select(e => (Shape.EndpointIp(s, e), Shape.EndpointPod(s, e))).ToList();
        if (extraEndpointIp is not null)
        {
            endpoints.Add((extraEndpointIp, $"{Shape.Name(s)}-churn"));
        }

        var yaml = new StringBuilder();
        AppendService(yaml, Shape.Name(s), Shape.Namespace(s), Shape.ClusterIp(s), portName, port);
        yaml.AppendLine("---");
        AppendSlice(yaml, Shape.Name(s), Shape.Namespace(s), portName, port, endpoints);
        return yaml.ToString();
    }

    private static void AppendService(StringBuilder yaml, string name, string ns, string clusterIp, string portName, int port) => yaml.Append(
        $"""
        apiVersion: v1
        kind: Service
        metadata: {"{"}name: {name}, namespace: {ns}, labels: {"{"}app: {name}{"}"}{"}"}
        spec:
          clusterIP: {clusterIp}
          selector: {"{"}app: {name}{"}"}
          ports:
          - {"{"}name: {portName}, port: {port}, targetPort: {port}, protocol: TCP{"}"}

        """);

    private static void AppendSlice(StringBuilder yaml, string name, string ns, string portName, int port, IEnumerable<(string Ip, string Pod)> endpoints)
    {
        yaml.Append(
            $"""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: {name}-slice
              namespace: {ns}
              labels: {"{"}kubernetes.io/service-name: {name}{"}"}
            addressType: IPv4
            ports:
            - {"{"}name: {portName}, port: {port}, protocol: TCP{"}"}
            endpoints:

            """);
        var zone = 0;
        foreach (var (ip, pod) in endpoints)
        {
            yaml.Append(
                $"""
                - addresses: ["{ip}"]
                  conditions: {"{"}ready: true{"}"}
                  zone: zone-{(char)('a' + (zone++ % 3))}
                  targetRef: {"{"}kind: Pod, name: {pod}, namespace: {ns}{"}"}

                """);
        }
    }

    private string DestinationRuleYaml(int s) =>
        $"""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {"{"}name: {Shape.Name(s)}, namespace: {Shape.Namespace(s)}{"}"}
        spec:
          host: {Shape.Host(s)}
          trafficPolicy:
            loadBalancer: {"{"}simple: LEAST_CONN{"}"}
          subsets:
          - name: v1
            labels: {"{"}version: v1{"}"}
          - name: v2
            labels: {"{"}version: v2{"}"}

        """;

    private string VirtualServiceYaml(int s, int round) =>
        $"""
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {"{"}name: {Shape.Name(s)}, namespace: {Shape.Namespace(s)}{"}"}
        spec:
          hosts: [{Shape.Host(s)}]
          http:
          - name: canary
            match:
            - uri: {"{"}prefix: {RoundPrefix(round)}{"}"}
            route:
            - destination: {"{"}host: {Shape.Host(s)}, subset: v2{"}"}
          - name: default
            route:
            - destination: {"{"}host: {Shape.Host(s)}, subset: v1{"}"}
              weight: 90
            - destination: {"{"}host: {Shape.Host(s)}, subset: v2{"}"}
              weight: 10
            timeout: 5s
            retries: {"{"}attempts: 2, perTryTimeout: 2s{"}"}

        """;

    private void Write(string relativePath, string content)
    {
        var staged = Path.Combine(_staging, Path.GetFileName(relativePath));
        File.WriteAllText(staged, content);
        File.Move(staged, Path.Combine(ConfigDir, relativePath), overwrite: true);
    }
}
