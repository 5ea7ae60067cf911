using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>One RPC the proxyless client made: the backend that answered (null when it failed), its status and how long it took.</summary>
/// <param name="Backend">The name of the backend that answered, null when the call failed.</param>
/// <param name="Code">The call's gRPC status.</param>
/// <param name="Details">The status details (empty on success).</param>
/// <param name="Elapsed">From starting the call to its end, measured in the client process.</param>
public sealed record CallResult(string? Backend, StatusCode Code, string Details, TimeSpan Elapsed);
