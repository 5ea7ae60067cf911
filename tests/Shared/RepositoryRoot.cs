namespace ControlPlane.Tests.Shared;

/// <summary>
/// The checkout the tests run from, found above the test binary. Tests read the checked-in files
/// (crds/, charts/, examples/, golden folders) there rather than copies, so an edit is tested without a rebuild.
/// Compiled into every test project by tests/Directory.Build.props.
/// </summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Found = new(Find);

    public static string Path => Found.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ControlPlane.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds ControlPlane.sln: run the tests from the repository.");
    }
}
