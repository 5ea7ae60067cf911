namespace ControlPlane.Mesh.Model.Istio;

/// <summary>Header changes for requests and responses.</summary>
public sealed record Headers(
    HeaderOperations? Request,
    HeaderOperations? Response);
