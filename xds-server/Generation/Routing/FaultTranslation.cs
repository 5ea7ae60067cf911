using ControlPlane.Mesh.Model.Istio;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Google.Protobuf.WellKnownTypes;
using CommonFault = Envoy.Extensions.Filters.Common.Fault.V3;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// An Istio <see cref="HttpFaultInjection"/> as the per-route config of Envoy's HTTP fault filter
/// (<c>envoy.filters.http.fault</c>), as istiod 1.10's translateFault writes it: a fixed delay with
/// its percentage (or the deprecated integer percent), an HTTP status abort with its percentage.
/// Exponential delays and gRPC or HTTP/2 aborts are not translated (Istio 1.10's validation refuses
/// them anyway).
/// </summary>
public static class FaultTranslation
{
    /// <summary>The filter the per-route config is for, which every sidecar HTTP connection manager lists.</summary>
    public const string FilterName = "envoy.filters.http.fault";

    /// <returns>Null when neither a delay nor an abort can be translated.</returns>
    public static HTTPFault? Translate(HttpFaultInjection fault)
    {
        var output = new HTTPFault();
        if (fault.Delay is { FixedDelay: { } fixedDelay } delay)
        {
            output.Delay = new CommonFault.FaultDelay
            {
                FixedDelay = Duration.FromTimeSpan(fixedDelay),
                Percentage = delay.Percentage is { } percentage ? Percentages.FromPercent(percentage) : Percentages.FromInteger(delay.Percent),
            };
        }

        if (fault.Abort is { HttpStatus: { } status } abort)
        {
            output.Abort = new Envoy.Extensions.Filters.Http.Fault.V3.FaultAbort { HttpStatus = (uint)status };
            if (abort.Percentage is { } percentage)
            {
                output.Abort.Percentage = Percentages.FromPercent(percentage);
            }
        }

        return output.Delay is null && output.Abort is null ? null : output;
    }
}
