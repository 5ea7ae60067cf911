using ControlPlane.Chart.Tests.Infrastructure;

namespace ControlPlane.Chart.Tests;

/// <summary>The chart ships the very CRDs of the repository's crds/ folder (Helm cannot reach outside the chart).</summary>
public sealed class CrdSyncTests
{
    [Fact]
    public void Chart_crds_are_the_repository_crds()
    {
        var repoCrds = Path.Combine(RepoPaths.Root, "crds");
        var expected = Directory.GetFiles(repoCrds, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Directory.GetFiles(RepoPaths.ChartCrds, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Should().Equal(expected, "copy crds/*.yaml into charts/controlplane/crds/ after changing them");
        foreach (var file in expected)
        {
            File.ReadAllText(Path.Combine(RepoPaths.ChartCrds, file!)).Should()
                .Be(File.ReadAllText(Path.Combine(repoCrds, file!)), $"{file} must be identical in the chart");
        }
    }
}
