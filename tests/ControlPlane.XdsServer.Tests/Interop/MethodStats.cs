namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>What one backend saw of one method: every attempt, and those the client marked as retries (grpc-previous-rpc-attempts).</summary>
public sealed record MethodStats(int Attempts, int Retries);
