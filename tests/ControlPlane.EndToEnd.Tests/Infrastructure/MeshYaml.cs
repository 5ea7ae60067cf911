namespace ControlPlane.EndToEnd.Tests.Infrastructure;

/// <summary>Config-dir YAML for chaos tests: services named svc-N, each with one ready endpoint.</summary>
public static class MeshYaml
{
    /// <summary>Services svc-<paramref name="from"/> … svc-(from+count-1) in namespace default, port 8080.</summary>
    public static string Services(int from, int count) => string.Join("\n---\n", Enumerable.Range(from, count).Select(n => $"""
        apiVersion: v1
        kind: Service
        metadata: {"{"}name: svc-{n}, namespace: default{"}"}
        spec:
          clusterIP: 10.96.{n / 250}.{1 + (n % 250)}
          ports: [{"{"}name: http, port: 8080{"}"}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: svc-{n}-1
          namespace: default
          labels: {"{"}kubernetes.io/service-name: svc-{n}{"}"}
        addressType: IPv4
        ports: [{"{"}name: http, port: 8080{"}"}]
        endpoints:
        - addresses: ["10.1.{n / 250}.{1 + (n % 250)}"]
          conditions: {"{"}ready: true{"}"}
        """)) + "\n";

    /// <summary>The CDS name of svc-<paramref name="n"/>.</summary>
    public static string Cluster(int n) => $"outbound|8080||svc-{n}.default.svc.cluster.local";
}
