namespace ControlPlane.Operator.Tests.Infrastructure;

public static class RepoPaths
{
    public static string Root { get; } = Find();

    public static string Golden => Path.Combine(Root, "tests", "ControlPlane.Operator.Tests", "golden");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ControlPlane.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("ControlPlane.sln not found above " + AppContext.BaseDirectory);
    }
}
