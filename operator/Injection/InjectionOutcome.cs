using System.Text.Json.Nodes;

namespace ControlPlane.Operator.Injection;

/// <summary>What injection makes of one pod.</summary>
/// <param name="Patch">The JSON patch that adds the sidecar; null unless the decision is to inject.</param>
/// <param name="Warnings">For the log and the admission response (kubectl prints them); bounded in number and length.</param>
/// <param name="Image">The proxy image injected, when one is.</param>
public sealed record InjectionOutcome(InjectionDecision Decision, JsonArray? Patch, IReadOnlyList<string> Warnings, string? Image = null);
