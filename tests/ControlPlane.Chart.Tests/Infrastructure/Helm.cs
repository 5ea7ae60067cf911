namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Runs the real helm binary against charts/controlplane, with helm's own state kept under .tools/helm/home, out of the user's home and of any cluster.</summary>
public static class Helm
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static readonly Lazy<IReadOnlyDictionary<string, string>> environment = new(() =>
    {
        var home = Path.Combine(RepoPaths.HelmCache, "home");
        return new Dictionary<string, string>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(home, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(home, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(home, "data"),
            ["KUBECONFIG"] = Path.Combine(home, "no-kubeconfig"),
        };
    });

    public static async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        var helm = await HelmTool.PathAsync();
        return await ProcessRunner.RunAsync(helm, arguments, RepoPaths.Root, Timeout, environment.Value);
    }

    public static Task<ProcessResult> TemplateAsync(
        ValueSet values, string release = ChartNames.Release, string @namespace = ChartNames.Namespace) =>
        WithValuesFile(values, file => RunAsync("template", release, RepoPaths.Chart, "--namespace", @namespace, "-f", file));

    public static Task<ProcessResult> LintAsync(ValueSet values) =>
        WithValuesFile(values, file => RunAsync("lint", "--strict", RepoPaths.Chart, "--namespace", ChartNames.Namespace, "-f", file));

    private static async Task<ProcessResult> WithValuesFile(ValueSet values, Func<string, Task<ProcessResult>> run)
    {
        var file = Path.Combine(Path.GetTempPath(), $"controlplane-values-{values.Name}-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, values.Yaml);
        try
        {
            return await run(file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
