namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Where the repository, the chart and the tool cache are, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    public static string Root => ControlPlane.Tests.Shared.RepositoryRoot.Path;

    public static string Chart => Path.Combine(Root, "charts", "controlplane");

    public static string ChartCrds => Path.Combine(Chart, "crds");

    public static string HelmCache => Path.Combine(Root, ".tools", "helm");
}
