using ControlPlane.Tests.Shared;

namespace ControlPlane.Readme.Tests.Infrastructure;

/// <summary>The fenced code blocks of the checkout's README.md, in order (``` or ~~~ fences, CommonMark's rule that a block ends at a fence of the same kind).</summary>
public static class ReadmeFile
{
    public static string Path => System.IO.Path.Combine(RepositoryRoot.Path, "README.md");

    public static IReadOnlyList<ReadmeSnippet> Snippets()
    {
        var lines = File.ReadAllLines(Path);
        var snippets = new List<ReadmeSnippet>();
        for (var i = 0; i < lines.Length; i++)
        {
            var opening = lines[i].TrimStart();
            if (!opening.StartsWith("```", StringComparison.Ordinal) && !opening.StartsWith("~~~", StringComparison.Ordinal))
            {
                continue;
            }

            var fence = opening[..3];
            var body = new List<string>();
            var start = i;
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal); i++)
            {
                body.Add(lines[i]);
            }

            snippets.Add(new ReadmeSnippet(opening[3..].Trim(), string.Join('\n', body), start + 1));
        }

        return snippets;
    }

    /// <summary>The one snippet with exactly this text.</summary>
    /// <exception cref="InvalidOperationException">The README no longer holds it (or holds it twice).</exception>
    public static ReadmeSnippet Single(string text)
    {
        var found = Snippets().Where(s => s.Text == text).ToList();
        return found.Count == 1 ? found[0] : throw new InvalidOperationException($"README.md holds {found.Count} snippets with the text:\n{text}");
    }
}
