using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;
using Envoy.Config.Core.V3;
using Envoy.Extensions.TransportSockets.Tls.V3;
using Envoy.Type.Matcher.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation.Traffic;

/// <summary>
/// A DestinationRule's tls on a cluster: the transport socket istiod 1.10 builds for it
/// (buildAutoMtlsSettings and buildUpstreamClusterTLSContext with the rule's settings; automatic
/// mTLS, which needs workload certificates this control plane does not issue, is not done).
/// </summary>
internal static class UpstreamTlsTranslation
{
    /// <summary>Envoy's TLS transport socket.</summary>
    public const string TlsTransportSocket = "envoy.transport_sockets.tls";

    /// <summary>
    /// Sets the cluster's transport_socket to an UpstreamTlsContext: DISABLE adds none; SIMPLE
    /// verifies the server against caCertificates (through SDS <c>file-root:PATH</c>, with
    /// subjectAltNames) or not at all without them; MUTUAL adds the client certificate
    /// (<c>file-cert:CERT~KEY</c>); ISTIO_MUTUAL uses the workload certificate and root from SDS
    /// (<c>default</c>, <c>ROOTCA</c>), SNI <paramref name="istioMutualSni"/> unless the rule sets
    /// one, and Istio's ALPN. HTTP/2 clusters offer ALPN h2. With credentialName, gateways take the
    /// certificate from the Secret over SDS and sidecars get no TLS at all (istiod 1.10 supports
    /// credentialName on gateways only). The proxy's TLS_CLIENT_* metadata is not read.
    /// </summary>
    /// <param name="istioMutualSni">istiod's default SNI for ISTIO_MUTUAL: <c>outbound_.PORT_.SUBSET_.HOST</c>.</param>
    public static void Apply(ClusterDraft draft, ClientTlsSettings? tls, string istioMutualSni, ProxyKind kind)
    {
        if (tls is null || Context(draft, tls, istioMutualSni, kind) is not { } context)
        {
            return;
        }

        draft.Cluster.TransportSocket = new TransportSocket { Name = TlsTransportSocket, TypedConfig = Any.Pack(context) };
    }

    /// <summary>istiod's default SNI for ISTIO_MUTUAL (model.BuildDNSSrvSubsetKey).</summary>
    public static string IstioMutualSni(int port, string subset, string hostname) => $"outbound_.{port}_.{subset}_.{hostname}";

    private static UpstreamTlsContext? Context(ClusterDraft draft, ClientTlsSettings tls, string istioMutualSni, ProxyKind kind)
    {
        if (!string.IsNullOrEmpty(tls.CredentialName) && kind == ProxyKind.Sidecar && tls.Mode is ClientTlsMode.Simple or ClientTlsMode.Mutual)
        {
            return null;
        }

        var common = new CommonTlsContext();
        var context = new UpstreamTlsContext { CommonTlsContext = common, Sni = tls.Sni ?? string.Empty };
        switch (tls.Mode)
        {
            case ClientTlsMode.IstioMutual:
                context.Sni = string.IsNullOrEmpty(tls.Sni) ? istioMutualSni : tls.Sni;
                common.TlsCertificateSdsSecretConfigs.Add(SdsSecretConfigs.Agent(SdsSecretConfigs.DefaultResource));
                common.CombinedValidationContext = Combined(tls.SubjectAltNames, SdsSecretConfigs.Agent(SdsSecretConfigs.RootResource));
                // Istio's ALPN values: peers exchange metadata, then speak h2 or the port's protocol.
                common.AlpnProtocols.AddRange(draft.IsHttp2 ? ["istio-peer-exchange", "istio", "h2"] : ["istio-peer-exchange", "istio"]);
                return context;
            case ClientTlsMode.Simple:
            case ClientTlsMode.Mutual:
                if (!string.IsNullOrEmpty(tls.CredentialName))
                {
                    if (tls.Mode == ClientTlsMode.Mutual)
                    {
                        common.TlsCertificateSdsSecretConfigs.Add(SdsSecretConfigs.Credential(tls.CredentialName));
                    }

                    common.CombinedValidationContext = Combined(tls.SubjectAltNames, SdsSecretConfigs.Credential(tls.CredentialName + "-cacert"));
                }
                else
                {
                    if (tls.Mode == ClientTlsMode.Mutual)
                    {
                        // Validation refuses MUTUAL without both; istiod then leaves TLS off.
                        if (string.IsNullOrEmpty(tls.ClientCertificate) || string.IsNullOrEmpty(tls.PrivateKey))
                        {
                            return null;
                        }

                        common.TlsCertificateSdsSecretConfigs.Add(SdsSecretConfigs.Agent(SdsSecretConfigs.FileCertificate(tls.ClientCertificate, tls.PrivateKey)));
                    }

                    if (string.IsNullOrEmpty(tls.CaCertificates))
                    {
                        common.ValidationContext = new CertificateValidationContext();
                    }
                    else
                    {
                        common.CombinedValidationContext = Combined(tls.SubjectAltNames, SdsSecretConfigs.Agent(SdsSecretConfigs.FileRoot(tls.CaCertificates)));
                    }
                }

                if (draft.IsHttp2)
                {
                    common.AlpnProtocols.Add("h2");
                }

                return context;
            default:
                return null;
        }
    }

    private static CommonTlsContext.Types.CombinedCertificateValidationContext Combined(ValueList<string> subjectAltNames, SdsSecretConfig root)
    {
        var validation = new CertificateValidationContext();
#pragma warning disable CS0612 // deprecated in later Envoy APIs; the field Envoy 1.18 and MOSN read, and istiod 1.10 sets
        validation.MatchSubjectAltNames.AddRange(subjectAltNames.Select(name => new StringMatcher { Exact = name }));
#pragma warning restore CS0612
        return new CommonTlsContext.Types.CombinedCertificateValidationContext { DefaultValidationContext = validation, ValidationContextSdsSecretConfig = root };
    }
}
