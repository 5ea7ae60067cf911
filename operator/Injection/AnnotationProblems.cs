namespace ControlPlane.Operator.Injection;

/// <summary>
/// What reading a pod's annotations found wrong: errors refuse the pod, warnings let it through and
/// are logged and returned to the client (kubectl prints admission warnings). Values are shortened
/// (<see cref="AnnotationValues.Shown"/>), so messages stay bounded whatever the pod carries.
/// </summary>
public sealed class AnnotationProblems
{
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];

    public IReadOnlyList<string> Errors => _errors;

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The value cannot be used; the pod is refused, as istiod 1.10 refuses it.</summary>
    public void Invalid(string key, string value, string reason) =>
        _errors.Add($"{key}=\"{AnnotationValues.Shown(value)}\" is invalid: {reason}");

    /// <summary>A valid value this control plane deliberately does not support; the pod is refused.</summary>
    public void Unsupported(string key, string value, string reason) =>
        _errors.Add($"{key}=\"{AnnotationValues.Shown(value)}\" is not supported: {reason}");

    public void Warn(string key, string reason) => _warnings.Add($"{key}: {reason}");
}
