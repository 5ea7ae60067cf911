using Envoy.Config.Cluster.V3;
using Google.Protobuf.WellKnownTypes;
using IstioOutlierDetection = ControlPlane.Mesh.Model.Istio.OutlierDetection;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>A DestinationRule's outlierDetection on a cluster, exactly as istiod 1.10's applyOutlierDetection sets it.</summary>
internal static class OutlierDetectionTranslation
{
    /// <summary>
    /// Success-rate ejection off (enforcing_success_rate 0); consecutive5xxErrors →
    /// consecutive_5xx, consecutiveGatewayErrors → consecutive_gateway_failure, each enforced at
    /// 100% unless 0 (then both 0); interval, baseEjectionTime; maxEjectionPercent when above 0;
    /// and common_lb_config.healthy_panic_threshold always set to minHealthPercent (0, panic mode
    /// off, when unset: istiod cannot tell unset from 0). The deprecated consecutiveErrors is
    /// ignored, as istiod 1.10 ignores it. Nothing when <paramref name="outlier"/> is null.
    /// </summary>
    public static void Apply(Cluster cluster, IstioOutlierDetection? outlier)
    {
        if (outlier is null)
        {
            return;
        }

        var result = new OutlierDetection { EnforcingSuccessRate = 0 };
        if (outlier.Consecutive5xxErrors is { } errors)
        {
            result.Consecutive5Xx = errors;
            result.EnforcingConsecutive5Xx = errors > 0 ? 100u : 0u;
        }

        if (outlier.ConsecutiveGatewayErrors is { } gatewayErrors)
        {
            result.ConsecutiveGatewayFailure = gatewayErrors;
            result.EnforcingConsecutiveGatewayFailure = gatewayErrors > 0 ? 100u : 0u;
        }

        if (outlier.Interval is { } interval)
        {
            result.Interval = Duration.FromTimeSpan(interval);
        }

        if (outlier.BaseEjectionTime is { } baseEjectionTime)
        {
            result.BaseEjectionTime = Duration.FromTimeSpan(baseEjectionTime);
        }

        if (outlier.MaxEjectionPercent > 0)
        {
            result.MaxEjectionPercent = (uint)outlier.MaxEjectionPercent;
        }

        cluster.OutlierDetection = result;
        cluster.CommonLbConfig ??= new Cluster.Types.CommonLbConfig();
        cluster.CommonLbConfig.HealthyPanicThreshold = new Envoy.Type.V3.Percent { Value = outlier.MinHealthPercent };
    }
}
