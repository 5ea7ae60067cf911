using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>The shared services every ADS stream uses.</summary>
public sealed class AdsStreamContext
{
    public AdsStreamContext(XdsCache cache, ConnectionRegistry registry, PushLimiter limiter, IOptions<XdsServerOptions> options, ILogger<AdsService> logger)
    {
        Cache = cache;
        Registry = registry;
        Limiter = limiter;
        Options = options.Value;
        Logger = logger;
        Prepared = new Wire.PreparedResponses(Options.ControlPlaneId);
    }

    /// <summary>State-of-the-world responses serialized once for every stream that sends them.</summary>
    public Wire.PreparedResponses Prepared { get; }

    public XdsCache Cache { get; }

    public ConnectionRegistry Registry { get; }

    public PushLimiter Limiter { get; }

    public XdsServerOptions Options { get; }

    public ILogger Logger { get; }
}
