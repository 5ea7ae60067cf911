namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>A named values file for the chart; an empty <paramref name="Yaml"/> means the chart's defaults.</summary>
public sealed record ValueSet(string Name, string Yaml)
{
    public override string ToString() => Name;
}
