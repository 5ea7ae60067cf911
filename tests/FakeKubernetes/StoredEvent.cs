using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes;

/// <summary>One change, as a watch reports it: ADDED, MODIFIED or DELETED with the object after the change.</summary>
public sealed record StoredEvent(long ResourceVersion, string ResourceKey, string? Namespace, string Type, JsonObject Object);
