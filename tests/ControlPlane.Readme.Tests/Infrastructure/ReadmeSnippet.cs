namespace ControlPlane.Readme.Tests.Infrastructure;

/// <summary>One fenced code block of README.md: its info string (e.g. "sh", "" for none), its text without the fences, and the line it opens on.</summary>
public sealed record ReadmeSnippet(string Language, string Text, int Line)
{
    public override string ToString() => $"README.md:{Line} ```{Language}";
}
