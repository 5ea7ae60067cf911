namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>A pod being created in a namespace: the labels the webhooks' selectors see.</summary>
public sealed record InjectionScenario(string Namespace, string NamespaceLabels, string PodLabels)
{
    public IReadOnlyDictionary<string, string> NamespaceLabelSet =>
        Parse(NamespaceLabels).Append(new("kubernetes.io/metadata.name", Namespace)).ToDictionary();

    public IReadOnlyDictionary<string, string> PodLabelSet => Parse(PodLabels).ToDictionary();

    /// <summary>"a=b,c=d" to pairs; empty for none.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Parse(string labels) =>
        labels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => new KeyValuePair<string, string>(parts[0], parts[1]));
}
