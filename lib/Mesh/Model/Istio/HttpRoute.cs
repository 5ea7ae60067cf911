namespace ControlPlane.Mesh.Model.Istio;

/// <summary>One HTTP rule of a VirtualService: conditions and what to do with matching requests.</summary>
/// <param name="Match">Any one matching is enough (OR); empty matches every request.</param>
/// <param name="Route">Weighted destinations; exclusive with <see cref="Redirect"/>.</param>
/// <param name="Delegate">Hands the matching requests to a delegate VirtualService's rules (root VirtualServices only).</param>
/// <param name="Timeout">The request timeout (<c>timeout</c>); null when unset.</param>
/// <param name="Mirror">Where requests are also sent, fire and forget.</param>
/// <param name="MirrorPercent">Deprecated <c>mirrorPercent</c> (0-100); prefer <see cref="MirrorPercentage"/>.</param>
/// <param name="MirrorPercentage">How many requests are mirrored; null means all.</param>
public sealed record HttpRoute(
    string? Name,
    ValueList<HttpMatchRequest> Match,
    ValueList<HttpRouteDestination> Route,
    HttpRedirect? Redirect,
    VirtualServiceDelegate? Delegate,
    HttpRewrite? Rewrite,
    TimeSpan? Timeout,
    HttpRetry? Retries,
    HttpFaultInjection? Fault,
    Destination? Mirror,
    uint? MirrorPercent,
    Percent? MirrorPercentage,
    CorsPolicy? CorsPolicy,
    Headers? Headers);
