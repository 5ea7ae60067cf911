namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>
/// Kubernetes YAML for meshes of interop backends: a gRPC Service, and per backend a Pod carrying
/// its labels and an EndpointSlice of its own naming that Pod (targetRef), so DestinationRule
/// subsets select backends by their labels as they select Pods in a cluster. Every backend listens
/// on 127.0.0.1 at a port of its own, so each slice has the backend's port.
/// </summary>
public static class InteropManifests
{
    /// <summary>A Service with one gRPC port (named "grpc", targetPort the same number).</summary>
    public static string Service(string name, string ns, string clusterIp, int port) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          clusterIP: {clusterIp}
          ports:
          - name: grpc
            port: {port}
        """;

    /// <summary>The Pod <paramref name="backend"/> with <paramref name="labels"/> and a ready endpoint of <paramref name="service"/> at 127.0.0.1:<paramref name="port"/>.</summary>
    public static string Backend(string service, string ns, string backend, int port, IReadOnlyDictionary<string, string>? labels = null)
    {
        var labelLines = string.Join(", ", (labels ?? new Dictionary<string, string>()).Select(p => $"{p.Key}: \"{p.Value}\""));
        return $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {{backend}}
              namespace: {{ns}}
              labels: {{{labelLines}}}
            spec:
              containers: [{name: app, image: example.com/{{backend}}:1}]
            status:
              phase: Running
              podIP: 127.0.0.1
              conditions: [{type: Ready, status: "True"}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: {{backend}}
              namespace: {{ns}}
              labels:
                kubernetes.io/service-name: {{service}}
            addressType: IPv4
            ports:
            - name: grpc
              port: {{port}}
            endpoints:
            - addresses: ["127.0.0.1"]
              conditions: {ready: true}
              zone: zone-a
              targetRef: {kind: Pod, name: {{backend}}, namespace: {{ns}}}
            """;
    }

    public static string Join(params string[] documents) => string.Join("\n---\n", documents) + "\n";
}
