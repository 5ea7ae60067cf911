using System.IO.Compression;
using System.Security.Cryptography;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Takes one file out of a zip archive, refusing it unless its SHA-256 is the expected one.</summary>
public static class HelmArchive
{
    /// <summary>Writes <paramref name="entryName"/> of <paramref name="zipPath"/> to <paramref name="destination"/>;
    /// on a missing entry or a different hash nothing is left at the destination.</summary>
    public static void ExtractVerified(string zipPath, string entryName, string expectedSha256, string destination)
    {
        using var archive = ZipFile.OpenRead(zipPath);
        var entry = archive.GetEntry(entryName)
            ?? throw new InvalidDataException($"{zipPath} has no entry {entryName}.");

        string actual;
        using (var source = entry.Open())
        using (var target = File.Create(destination))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                target.Write(buffer, 0, read);
            }

            actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(destination);
            throw new InvalidDataException(
                $"{entryName} in {zipPath} has SHA-256 {actual}, expected {expectedSha256}: refusing to use it.");
        }
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
