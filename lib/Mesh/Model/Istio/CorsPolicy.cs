namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Cross-origin resource sharing for an HTTP rule.</summary>
/// <param name="AllowOrigin">Deprecated exact origins; prefer <see cref="AllowOrigins"/>.</param>
/// <param name="MaxAge">Whole seconds.</param>
public sealed record CorsPolicy(
    ValueList<string> AllowOrigin,
    ValueList<StringMatch> AllowOrigins,
    ValueList<string> AllowMethods,
    ValueList<string> AllowHeaders,
    ValueList<string> ExposeHeaders,
    TimeSpan? MaxAge,
    bool? AllowCredentials);
