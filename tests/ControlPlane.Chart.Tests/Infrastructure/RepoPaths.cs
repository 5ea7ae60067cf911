namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Where the repository, the chart and the tool cache are, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> root = new(FindRoot);

    public static string Root => root.Value;

    public static string Chart => Path.Combine(Root, "charts", "controlplane");

    public static string ChartCrds => Path.Combine(Chart, "crds");

    public static string HelmCache => Path.Combine(Root, ".tools", "helm");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props"))
                && Directory.Exists(Path.Combine(dir.FullName, "charts")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"No folder above {AppContext.BaseDirectory} holds Directory.Build.props and charts/: run the tests from the repository.");
    }
}
