using System.Globalization;
using ControlPlane.Mesh.Model.Istio;
using Envoy.Config.Core.V3;
using Envoy.Type.Matcher.V3;
using Envoy.Type.V3;
using EnvoyCors = Envoy.Config.Route.V3.CorsPolicy;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// An Istio <see cref="CorsPolicy"/> as the route's Envoy CORS policy, as istiod 1.10's
/// translateCORSPolicy writes it: allowOrigins as string matchers (else the deprecated allowOrigin
/// as exact ones), the lists joined with commas, maxAge in whole seconds, allowCredentials when set,
/// and the policy enabled for every request. The HTTP connection manager lists the CORS filter
/// (<c>envoy.filters.http.cors</c>), which applies it.
/// </summary>
public static class CorsTranslation
{
    /// <summary>The CORS HTTP filter's name, as istiod 1.10 (and Envoy's well-known names) spell it.</summary>
    public const string FilterName = "envoy.filters.http.cors";

    /// <summary>The route's CORS policy for a rule's <paramref name="cors"/>.</summary>
    public static EnvoyCors Translate(CorsPolicy cors)
    {
        var output = new EnvoyCors
        {
            FilterEnabled = new RuntimeFractionalPercent
            {
                DefaultValue = new FractionalPercent { Numerator = 100, Denominator = FractionalPercent.Types.DenominatorType.Hundred },
            },
            AllowHeaders = string.Join(',', cors.AllowHeaders),
            AllowMethods = string.Join(',', cors.AllowMethods),
            ExposeHeaders = string.Join(',', cors.ExposeHeaders),
        };
        if (!cors.AllowOrigins.IsEmpty)
        {
            output.AllowOriginStringMatch.AddRange(cors.AllowOrigins.Select(StringMatcher).OfType<StringMatcher>());
        }
        else if (!cors.AllowOrigin.IsEmpty)
        {
            output.AllowOriginStringMatch.AddRange(cors.AllowOrigin.Select(origin => new StringMatcher { Exact = origin }));
        }

        if (cors.AllowCredentials is { } credentials)
        {
            output.AllowCredentials = credentials;
        }

        if (cors.MaxAge is { } maxAge)
        {
            output.MaxAge = ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return output;
    }

    /// <summary>Exact, prefix or RE2 regex; a match of no kind is left out, as istiod does.</summary>
    private static StringMatcher? StringMatcher(StringMatch match) => match.Kind switch
    {
        StringMatchKind.Exact => new StringMatcher { Exact = match.Value },
        StringMatchKind.Prefix => new StringMatcher { Prefix = match.Value },
        StringMatchKind.Regex => new StringMatcher { SafeRegex = RouteMatches.Regex(match.Value) },
        _ => null,
    };
}
