using ControlPlane.Mesh.Model.Istio;
using Envoy.Type.V3;
using Percent = ControlPlane.Mesh.Model.Istio.Percent;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>Istio percentages as Envoy fractions, as istiod 1.10 writes them.</summary>
public static class Percentages
{
    /// <summary>
    /// A <see cref="Percent"/> (a double in [0, 100]) as parts per million: the value times 10,000,
    /// truncated, as istiod's translatePercentToFractionalPercent does (so 0.1 is 1000/MILLION).
    /// </summary>
    public static FractionalPercent FromPercent(Percent percent) => new()
    {
        Numerator = (uint)(percent.Value * 10000),
        Denominator = FractionalPercent.Types.DenominatorType.Million,
    };

    /// <summary>A whole percentage (the deprecated integer fields) as parts per hundred.</summary>
    public static FractionalPercent FromInteger(int percent) => new()
    {
        Numerator = (uint)percent,
        Denominator = FractionalPercent.Types.DenominatorType.Hundred,
    };
}
