using Grpc.Core;

namespace ControlPlane.XdsServer.Tests.Interop;

/// <summary>
/// How a backend answers one method (or all): after <see cref="Delay"/>, it fails with
/// <see cref="FailWith"/> for the next <see cref="FailTimes"/> attempts (every attempt when null),
/// then answers with its name.
/// </summary>
public sealed record Behaviour(StatusCode? FailWith = null, int? FailTimes = null, TimeSpan? Delay = null);
