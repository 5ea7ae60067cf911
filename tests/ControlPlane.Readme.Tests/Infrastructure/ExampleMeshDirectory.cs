using ControlPlane.Tests.Shared;

namespace ControlPlane.Readme.Tests.Infrastructure;

/// <summary>
/// A temporary <c>--config-dir</c>: the bundled example mesh (examples/mesh) plus the README
/// snippets a test adds to it, as the README tells a user to do. Deleted on dispose.
/// </summary>
public sealed class ExampleMeshDirectory : IDisposable
{
    private readonly DirectoryInfo _directory;

    private ExampleMeshDirectory(DirectoryInfo directory) => _directory = directory;

    /// <summary>The directory's full path.</summary>
    public string Path => _directory.FullName;

    /// <summary>Copies the example mesh into a new temporary directory and writes <paramref name="files"/> (name, YAML) beside it.</summary>
    public static ExampleMeshDirectory With(params (string Name, string Yaml)[] files)
    {
        var directory = new ExampleMeshDirectory(Directory.CreateTempSubdirectory("readme-example-mesh-"));
        foreach (var file in Directory.GetFiles(System.IO.Path.Combine(RepositoryRoot.Path, "examples", "mesh"), "*.yaml"))
        {
            File.Copy(file, System.IO.Path.Combine(directory.Path, System.IO.Path.GetFileName(file)));
        }

        foreach (var (name, yaml) in files)
        {
            File.WriteAllText(System.IO.Path.Combine(directory.Path, name), yaml);
        }

        return directory;
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
