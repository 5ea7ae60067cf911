namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>
/// Folders of the repository, found from the test binary. The tests read the checked-in files themselves
/// rather than copies in the output folder, so an edit is tested without a rebuild.
/// </summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Crds => Path.Combine(Root, "crds");

    public static string IstioExamples => Path.Combine(Root, "examples", "istio");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ControlPlane.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds ControlPlane.sln");
    }
}
