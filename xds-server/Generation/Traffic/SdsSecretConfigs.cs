using Envoy.Config.Core.V3;
using Envoy.Extensions.TransportSockets.Tls.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// SDS secret references as istiod 1.10 writes them into TLS contexts (pilot/pkg/security/model):
/// workload certificates and files come from pilot-agent's SDS server (cluster <c>sds-grpc</c>,
/// which the Istio bootstrap defines); credentialName secrets are asked of the control plane over ADS.
/// </summary>
internal static class SdsSecretConfigs
{
    /// <summary>The SDS cluster of Istio's bootstrap: pilot-agent's SDS server on a Unix socket.</summary>
    public const string SdsCluster = "sds-grpc";

    /// <summary>The workload's own certificate and key (ISTIO_MUTUAL).</summary>
    public const string DefaultResource = "default";

    /// <summary>The mesh's root certificate (ISTIO_MUTUAL).</summary>
    public const string RootResource = "ROOTCA";

    /// <summary>
    /// istiod's ConstructSdsSecretConfig for a proxy of Istio 1.9 or later: <paramref name="name"/>
    /// from sds-grpc over gRPC, the node sent on the first message only; "default" and "ROOTCA"
    /// (the workload's certificates, which always exist) with no initial fetch timeout.
    /// </summary>
    public static SdsSecretConfig Agent(string name)
    {
        var source = new ConfigSource
        {
            ApiConfigSource = new ApiConfigSource
            {
                ApiType = ApiConfigSource.Types.ApiType.Grpc,
                SetNodeOnFirstMessageOnly = true,
                TransportApiVersion = ApiVersion.V3,
                GrpcServices = { new GrpcService { EnvoyGrpc = new GrpcService.Types.EnvoyGrpc { ClusterName = SdsCluster } } },
            },
            ResourceApiVersion = ApiVersion.V3,
        };
        if (name is DefaultResource or RootResource)
        {
            source.InitialFetchTimeout = Duration.FromTimeSpan(TimeSpan.Zero);
        }

        return new SdsSecretConfig { Name = name, SdsConfig = source };
    }

    /// <summary>A file-mounted certificate and key (istiod's SdsCertificateConfig resource name <c>file-cert:CERT~KEY</c>).</summary>
    public static string FileCertificate(string certificate, string privateKey) => $"file-cert:{certificate}~{privateKey}";

    /// <summary>A file-mounted CA bundle (<c>file-root:PATH</c>).</summary>
    public static string FileRoot(string caCertificates) => $"file-root:{caCertificates}";

    /// <summary>
    /// istiod's ConstructSdsSecretConfigForCredential: the Kubernetes Secret
    /// <c>kubernetes://NAME</c> over ADS (initial fetch timeout left at Envoy's default, so a
    /// missing secret does not block the cluster forever).
    /// </summary>
    public static SdsSecretConfig Credential(string name) => new()
    {
        Name = $"kubernetes://{name}",
        SdsConfig = new ConfigSource { Ads = new AggregatedConfigSource(), ResourceApiVersion = ApiVersion.V3 },
    };
}
