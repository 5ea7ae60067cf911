namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>The value sets the chart is rendered and linted with.</summary>
public static class ValueSets
{
    public static readonly ValueSet Defaults = new("defaults", "");

    /// <summary>A canary revision that fails open and serves a certificate the user provides.</summary>
    public static readonly ValueSet Canary = new("canary", """
        revision: canary
        webhook:
          failurePolicy: Ignore
          certSecret: mesh-webhook-tls
        """);

    /// <summary>Sizes, debouncing, images and scheduling changed from the defaults.</summary>
    public static readonly ValueSet Tuned = new("tuned", """
        image:
          hub: registry.example.com/mesh
          tag: 1.2.3
          pullPolicy: Always
        xdsServer:
          replicas: 5
          debounce:
            afterMs: 250
            maxMs: 5000
            everyEdsPush: true
          extraArgs: ["--log-level", "Debug"]
          resources:
            requests:
              cpu: 500m
              memory: 384Mi
            limits:
              cpu: "2"
              memory: 2Gi
          podDisruptionBudget:
            minAvailable: 3
          nodeSelector:
            mesh.example.com/pool: control
          tolerations:
            - key: dedicated
              operator: Equal
              value: control
              effect: NoSchedule
          serviceAccount:
            name: xds-reader
        operator:
          replicas: 3
          extraArgs: ["--log-level", "Debug"]
          image:
            tag: 1.2.4-rc.1
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 256Mi
          podDisruptionBudget:
            minAvailable: 50%
        """);

    public static readonly IReadOnlyList<ValueSet> All = [Defaults, Canary, Tuned];

    public static ValueSet ByName(string name) => All.Single(set => set.Name == name);

    /// <summary>The names of <see cref="All"/>, for theories.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var set in All)
        {
            data.Add(set.Name);
        }

        return data;
    }
}
