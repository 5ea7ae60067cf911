using ScottPlot;

namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// Convergence over the N proxies: for each scenario's first round, the share of proxies that have the
/// change (y) against the time since the change (x), beside the fan-out floor.
/// </summary>
internal static class ConvergencePlot
{
    public static void Save(string path, IReadOnlyList<ScenarioResult> results, LoadOptions options, MeshShape shape)
    {
        var plot = new Plot();
        foreach (var result in results.Where(r => r.Round == 0 && r.Kind is not ("floor-connect" or "floor-warmup")))
        {
            var received = result.LatenciesMs.Where(double.IsFinite).Order().ToArray();
            var label = $"{Label(result.Kind)} ({result.Converged}/{result.Proxies})";
            if (received.Length == 0)
            {
                var none = plot.Add.ScatterLine(new[] { 0.0, 1.0 }, new[] { 0.0, 0.0 });
                none.LegendText = label + ": none";
                continue;
            }

            var xs = new double[received.Length + 1];
            var ys = new double[received.Length + 1];
            for (var i = 0; i < received.Length; i++)
            {
                xs[i + 1] = received[i];
                ys[i + 1] = 100.0 * (i + 1) / result.Proxies;
            }

            var line = plot.Add.Scatter(xs, ys);
            line.MarkerSize = 0;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LegendText = label;
        }

        plot.Title($"Convergence: S={options.Services}, E={options.Endpoints}, N={options.Proxies} ({shape.Namespaces} namespaces)");
        plot.XLabel("ms since the change");
        plot.YLabel("% of proxies that have it");
        plot.Axes.SetLimitsY(0, 105);
        plot.ShowLegend(Alignment.LowerRight);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        plot.SavePng(path, 1000, 600);
    }

    private static string Label(string kind) => kind switch
    {
        "storm" => "connect storm",
        "eds" => "endpoint churn",
        "full" => "service add",
        "vs" => "VirtualService change",
        "reconnect" => "reconnect storm",
        "floor" => "floor push",
        _ => kind,
    };
}
