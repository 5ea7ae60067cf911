namespace ControlPlane.Operator.Tests.Infrastructure;

public static class RepoPaths
{
    public static string Root => ControlPlane.Tests.Shared.RepositoryRoot.Path;

    public static string Golden => Path.Combine(Root, "tests", "ControlPlane.Operator.Tests", "golden");
}
