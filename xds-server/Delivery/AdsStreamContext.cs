using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>The shared services every ADS stream uses.</summary>
public sealed class AdsStreamContext
{
    public AdsStreamContext(XdsCache cache, ConnectionRegistry registry, PushLimiter limiter, IOptions<XdsServerOptions> options, ILogger<AdsService> logger, ConfigNoticeReporter notices, Hosting.ReceiveBufferReserve reserve)
    {
        Notices = notices;
        Reserve = reserve;
        Cache = cache;
        Registry = registry;
        Limiter = limiter;
        Options = options.Value;
        Logger = logger;
        Prepared = new Wire.PreparedResponses(Options.ControlPlaneId);
        Sends = new SendLimiter(Options.MaxConcurrentSends);
    }

    /// <summary>Bounds how many large responses are being written at once.</summary>
    public SendLimiter Sends { get; }

    /// <summary>Subscription name sets, shared between streams that ask for the same names.</summary>
    public NameSets NameSets { get; } = NameSets.Shared;

    /// <summary>State-of-the-world responses serialized once for every stream that sends them.</summary>
    public Wire.PreparedResponses Prepared { get; }

    public XdsCache Cache { get; }

    /// <summary>Where state-of-the-world streams say how large their next requests will be.</summary>
    public Hosting.ReceiveBufferReserve Reserve { get; }

    /// <summary>Reports what proxies were sent but will not do.</summary>
    public ConfigNoticeReporter Notices { get; }

    public ConnectionRegistry Registry { get; }

    public PushLimiter Limiter { get; }

    public XdsServerOptions Options { get; }

    public ILogger Logger { get; }
}
