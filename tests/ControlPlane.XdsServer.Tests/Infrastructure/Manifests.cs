namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>Kubernetes YAML for test meshes.</summary>
public static class Manifests
{
    public static string Service(string name, string ns, string clusterIp, int port, string portName = "http", int? targetPort = null) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          clusterIP: {clusterIp}
          ports:
          - name: {portName}
            port: {port}
            targetPort: {targetPort ?? port}
        """;

    public static string EndpointSlice(string service, string ns, int port, string portName = "http", params string[] addresses) => EndpointSliceNamed($"{service}-slice", service, ns, port, portName, addresses);

    public static string EndpointSliceNamed(string sliceName, string service, string ns, int port, string portName, params string[] addresses)
    {
        var endpoints = addresses.Length == 0
            ? "endpoints: []"
            : "endpoints:\n" + string.Join('\n', addresses.Select(a => $"- addresses: [\"{a}\"]\n  conditions: {{ready: true}}\n  zone: zone-a"));
        return $"""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: {sliceName}
              namespace: {ns}
              labels:
                kubernetes.io/service-name: {service}
            addressType: IPv4
            ports:
            - name: {portName}
              port: {port}
            {endpoints}
            """;
    }

    public static string Join(params string[] documents) => string.Join("\n---\n", documents) + "\n";
}
