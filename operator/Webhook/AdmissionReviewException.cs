namespace ControlPlane.Operator.Webhook;

/// <summary>A request body that is not an AdmissionReview the webhook can answer; it gets a 400.</summary>
public sealed class AdmissionReviewException(string message) : Exception(message);
