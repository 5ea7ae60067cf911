using System.Globalization;
using System.Text.Json.Nodes;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// Istio 1.10's metrics merging (on unless prometheus.istio.io/merge-metrics is false): the pod's
/// prometheus.io scrape annotations are pointed at pilot-agent (status port, /stats/prometheus), which
/// serves the proxy's and the application's metrics together; the application's original scrape
/// annotations go to the agent in ISTIO_PROMETHEUS_ANNOTATIONS.
/// </summary>
public static class PrometheusMerge
{
    public const string ScrapeEnv = "ISTIO_PROMETHEUS_ANNOTATIONS";
    public const string ScrapeAnnotation = "prometheus.io/scrape";
    public const string PathAnnotation = "prometheus.io/path";
    public const string PortAnnotation = "prometheus.io/port";

    /// <returns>
    /// The annotations to set and the original scrape settings (JSON, null when the pod had none);
    /// null when the pod's annotations already point at the status port (Istio then leaves them alone).
    /// </returns>
    public static (IReadOnlyDictionary<string, string> Annotations, string? Original)? Apply(IDictionary<string, string>? annotations, int statusPort)
    {
        var port = statusPort.ToString(CultureInfo.InvariantCulture);
        string Get(string key) => annotations?.TryGetValue(key, out var value) == true ? value : string.Empty;
        if (Get(PortAnnotation) == port)
        {
            return null;
        }

        var original = new JsonObject { ["scrape"] = Get(ScrapeAnnotation), ["path"] = Get(PathAnnotation), ["port"] = Get(PortAnnotation) };
        var hadAny = Get(ScrapeAnnotation).Length > 0 || Get(PathAnnotation).Length > 0 || Get(PortAnnotation).Length > 0;
        var merged = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PortAnnotation] = port,
            [PathAnnotation] = "/stats/prometheus",
            [ScrapeAnnotation] = "true",
        };
        return (merged, hadAny ? original.ToJsonString() : null);
    }
}
