using k8s.Models;

namespace ControlPlane.Operator.Injection;

/// <summary>
/// One pod through injection, as istiod 1.10's webhook takes it: whether this revision injects it
/// (<see cref="InjectionPolicy"/>), its sidecar annotations (<see cref="SidecarOptionsReader"/>: an
/// invalid one refuses the pod with every reason), the sidecar (<see cref="SidecarTemplate"/>) and the
/// JSON patch (<see cref="PodPatchBuilder"/>). Pure.
/// </summary>
public static class PodInjector
{
    /// <summary>At most this many warnings or errors are reported for one pod.</summary>
    public const int MaxProblems = 20;

    /// <param name="namespaceMetadata">The pod's namespace; null when it cannot be found.</param>
    public static InjectionOutcome Inject(V1Pod pod, string ns, V1ObjectMeta? namespaceMetadata, InjectionSettings settings)
    {
        var decision = InjectionPolicy.Decide(pod, ns, namespaceMetadata, settings);
        if (!decision.Inject)
        {
            return new InjectionOutcome(decision, null, []);
        }

        var (options, problems) = SidecarOptionsReader.FromPod(pod, settings, decision.Flavor);
        if (options is null)
        {
            // Each reason names its annotation.
            return new InjectionOutcome(InjectionDecision.Refuse(string.Join("; ", Bounded(problems.Errors))), null, Bounded(problems.Warnings));
        }

        var sidecar = SidecarTemplate.Render(pod, ns, settings, options, problems);
        return new InjectionOutcome(decision, PodPatchBuilder.Build(pod, sidecar), Bounded(problems.Warnings), options.Image);
    }

    private static List<string> Bounded(IReadOnlyList<string> problems) =>
        problems.Count <= MaxProblems ? [.. problems] : [.. problems.Take(MaxProblems - 1), $"and {problems.Count - MaxProblems + 1} more"];
}
