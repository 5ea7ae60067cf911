using System.Collections.Concurrent;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>Renders each value set once per test run and shares the result between tests.</summary>
public static class ChartRenders
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<RenderedChart>>> renders = new();

    public static Task<RenderedChart> GetAsync(string valueSetName) => GetAsync(ValueSets.ByName(valueSetName));

    public static Task<RenderedChart> GetAsync(ValueSet values) =>
        renders.GetOrAdd(values.Name, _ => new Lazy<Task<RenderedChart>>(() => RenderAsync(values))).Value;

    /// <summary>Renders without caching, failing with helm's output if helm fails.</summary>
    public static async Task<RenderedChart> RenderAsync(
        ValueSet values, string release = ChartNames.Release, string @namespace = ChartNames.Namespace)
    {
        var result = await Helm.TemplateAsync(values, release, @namespace);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"helm template with the {values.Name} values failed: {result}");
        }

        return new RenderedChart(values, ManifestSplitter.Split(result.StandardOutput));
    }
}
