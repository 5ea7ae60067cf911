namespace ControlPlane.Mesh.Model.Istio;

/// <summary>A weighted HTTP destination with its own header changes.</summary>
/// <param name="Weight">0-100; the weights of a rule's destinations add up to 100 when there are several.</param>
public sealed record HttpRouteDestination(
    Destination Destination,
    int Weight,
    Headers? Headers);
