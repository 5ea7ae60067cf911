namespace ControlPlane.XdsServer.Delivery.Wire;

/// <summary>One state-of-the-world response as a stream sends it: shared prepared bytes plus this stream's nonce.</summary>
public sealed record OutgoingResponse(PreparedResponse Prepared, string Nonce);
