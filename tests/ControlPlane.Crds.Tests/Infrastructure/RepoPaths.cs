namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>
/// Folders of the repository, found from the test binary. The tests read the checked-in files themselves
/// rather than copies in the output folder, so an edit is tested without a rebuild.
/// </summary>
public static class RepoPaths
{
    public static string Root => ControlPlane.Tests.Shared.RepositoryRoot.Path;

    public static string Crds => Path.Combine(Root, "crds");

    public static string IstioExamples => Path.Combine(Root, "examples", "istio");
}
