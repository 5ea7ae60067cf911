namespace ControlPlane.Operator.Injection;

/// <param name="Allowed">False only when the pod asks for something that cannot be done; it is then refused.</param>
public sealed record InjectionDecision(bool Inject, bool Allowed, string Reason, ProxyFlavor Flavor = ProxyFlavor.Envoy)
{
    public static InjectionDecision Skip(string reason) => new(false, true, reason);

    public static InjectionDecision Refuse(string reason) => new(false, false, reason);
}
