namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>
/// A webhook could not be asked or gave no usable answer (the real server's ErrCallingWebhook):
/// the failure that failurePolicy decides about, unlike a denial or a patch that does not apply.
/// </summary>
public sealed class WebhookCallException(string message, Exception? inner = null) : Exception(message, inner);
