namespace ControlPlane.XdsServer.Tests.Istio;

/// <summary>
/// Each row is a spec (YAML, as kubectl would send it) and the error Istio 1.10's validation gives
/// it (pkg/config/validation), prefixed with the path of the field at fault; null means valid.
/// </summary>
public sealed class IstioValidationTests
{
    private const string Route = "http:\n- route:\n  - destination: {host: reviews}\n";

    public static TheoryData<string, string, string, string?> Cases() => new()
    {
        // VirtualService
        { "vs valid", "VirtualService", "hosts: [reviews]\n" + Route, null },
        { "vs weights", "VirtualService", "hosts: [reviews]\nhttp:\n- route:\n  - {destination: {host: a}, weight: 50}\n  - {destination: {host: b}, weight: 40}\n", "spec.http[0].route: total destination weight 90 != 100" },
        { "vs single weight", "VirtualService", "hosts: [reviews]\nhttp:\n- route:\n  - {destination: {host: a}, weight: 0}\n", null },
        { "vs weight range", "VirtualService", "hosts: [reviews]\nhttp:\n- route:\n  - {destination: {host: a}, weight: 101}\n", "spec.http[0].route[0].weight: percentage 101 is not in range 0..100" },
        { "vs weight type", "VirtualService", "hosts: [reviews]\nhttp:\n- route:\n  - {destination: {host: a}, weight: abc}\n", "spec.http[0].route[0].weight: must be a 32-bit integer, not \"abc\"" },
        { "vs backreference", "VirtualService", "hosts: [reviews]\nhttp:\n- match:\n  - uri: {regex: '(a)\\1'}\n  route:\n  - destination: {host: a}\n", "spec.http[0].match[0].uri.regex: backreferences are not supported by RE2" },
        { "vs lookahead", "VirtualService", "hosts: [reviews]\nhttp:\n- match:\n  - headers: {x-user: {regex: '(?=admin).*'}}\n  route:\n  - destination: {host: a}\n", "spec.http[0].match[0].headers[\"x-user\"].regex: lookahead and lookbehind are not supported by RE2" },
        { "vs re2 named group", "VirtualService", "hosts: [reviews]\nhttp:\n- match:\n  - uri: {regex: '/(?P<id>[0-9]+)'}\n  route:\n  - destination: {host: a}\n", null },
        { "vs repeat limit", "VirtualService", "hosts: [reviews]\nhttp:\n- match:\n  - uri: {regex: 'a{1001}'}\n  route:\n  - destination: {host: a}\n", "spec.http[0].match[0].uri.regex: repeat count 1001 exceeds RE2's limit of 1000" },
        { "vs broken regex", "VirtualService", "hosts: [reviews]\nhttp:\n- match:\n  - uri: {regex: '(unclosed'}\n  route:\n  - destination: {host: a}\n", "spec.http[0].match[0].uri.regex:" },
        { "vs two oneof members", "VirtualService", "hosts: [reviews]\nhttp:\n- match:\n  - uri: {exact: /a, prefix: /b}\n  route:\n  - destination: {host: a}\n", "spec.http[0].match[0].uri: only one of exact, prefix and regex may be set" },
        { "vs bad host", "VirtualService", "hosts: [bad_host]\n" + Route, "spec.hosts[0]: domain name \"bad_host\" invalid (label \"bad_host\" invalid)" },
        { "vs ip host", "VirtualService", "hosts: [10.0.0.1]\n" + Route, null },
        { "vs mesh wildcard", "VirtualService", "hosts: ['*']\n" + Route, "spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway" },
        { "vs gateway wildcard", "VirtualService", "hosts: ['*']\ngateways: [istio-system/ingress]\n" + Route, null },
        { "vs duplicate hosts", "VirtualService", "hosts: ['*.example.com', a.example.com]\n" + Route, "spec.hosts[1]: duplicate hosts in virtual service: \"*.example.com\" & \"a.example.com\"" },
        { "vs no rules", "VirtualService", "hosts: [reviews]\n", "spec: http, tcp or tls must be provided in virtual service" },
        { "vs gateway name", "VirtualService", "hosts: [reviews]\ngateways: [ns/Bad_Name]\n" + Route, "spec.gateways[0]: invalid value for gateway name: \"Bad_Name\"" },
        { "vs timeout minimum", "VirtualService", "hosts: [reviews]\nhttp:\n- timeout: 0.0005s\n  route:\n  - destination: {host: a}\n", "spec.http[0].timeout: duration must be greater than 1ms" },
        { "vs timeout precision", "VirtualService", "hosts: [reviews]\nhttp:\n- timeout: 1.0005s\n  route:\n  - destination: {host: a}\n", "spec.http[0].timeout: only durations to ms precision are supported" },
        { "vs duration syntax", "VirtualService", "hosts: [reviews]\nhttp:\n- timeout: 1 minute\n  route:\n  - destination: {host: a}\n", "spec.http[0].timeout: \"1 minute\" is not a duration" },
        { "vs go duration", "VirtualService", "hosts: [reviews]\nhttp:\n- timeout: 1m30s\n  retries: {attempts: 2, perTryTimeout: 250ms}\n  route:\n  - destination: {host: a}\n", null },
        { "vs retries disabled", "VirtualService", "hosts: [reviews]\nhttp:\n- retries: {attempts: 0, perTryTimeout: 1s}\n  route:\n  - destination: {host: a}\n", "spec.http[0].retries.attempts: http retry policy configured when attempts are set to 0 (disabled)" },
        { "vs retry on", "VirtualService", "hosts: [reviews]\nhttp:\n- retries: {attempts: 2, retryOn: '5xx,503,sometimes'}\n  route:\n  - destination: {host: a}\n", "spec.http[0].retries.retryOn: \"sometimes\" is not a valid retryOn policy" },
        { "vs mirror percentage", "VirtualService", "hosts: [reviews]\nhttp:\n- mirror: {host: b}\n  mirrorPercentage: {value: 150}\n  route:\n  - destination: {host: a}\n", "spec.http[0].mirrorPercentage: percentage 150 is neither 0.0, nor in range [0.0001, 100.0]" },
        { "vs subset name", "VirtualService", "hosts: [reviews]\nhttp:\n- route:\n  - destination: {host: a, subset: v_1}\n", "spec.http[0].route[0].destination.subset: subset name is invalid: \"v_1\"" },
        { "vs destination port", "VirtualService", "hosts: [reviews]\nhttp:\n- route:\n  - destination: {host: a, port: {number: 70000}}\n", "spec.http[0].route[0].destination.port.number: port number 70000 must be in the range 1..65535" },
        { "vs destination wildcard", "VirtualService", "hosts: [reviews]\nhttp:\n- route:\n  - destination: {host: '*'}\n", "spec.http[0].route[0].destination.host: invalid destination host *" },
        { "vs route and redirect", "VirtualService", "hosts: [reviews]\nhttp:\n- redirect: {uri: /new}\n  route:\n  - destination: {host: a}\n", "spec.http[0].route: HTTP route cannot contain both route and redirect" },
        { "vs nothing to do", "VirtualService", "hosts: [reviews]\nhttp:\n- name: empty\n", "spec.http[0]: HTTP route or redirect is required" },
        { "vs grpc abort", "VirtualService", "hosts: [reviews]\nhttp:\n- fault: {abort: {grpcStatus: UNAVAILABLE}}\n  route:\n  - destination: {host: a}\n", "spec.http[0].fault.abort.grpcStatus: gRPC abort fault injection not supported yet" },
        { "vs abort status", "VirtualService", "hosts: [reviews]\nhttp:\n- fault: {abort: {httpStatus: 700}}\n  route:\n  - destination: {host: a}\n", "spec.http[0].fault.abort.httpStatus: HTTP status 700 is not in range 200-599" },
        { "vs remove host", "VirtualService", "hosts: [reviews]\nhttp:\n- headers: {request: {remove: [Host]}}\n  route:\n  - destination: {host: a}\n", "spec.http[0].headers.request.remove[0]: invalid header \"Host\": cannot set Host header" },
        { "vs single percent", "VirtualService", "hosts: [reviews]\nhttp:\n- headers: {response: {set: {x-a: '50%'}}}\n  route:\n  - destination: {host: a}\n", "spec.http[0].headers.response.set[\"x-a\"]: single % not allowed" },
        { "vs authority twice", "VirtualService", "hosts: [reviews]\nhttp:\n- rewrite: {authority: a.example.com}\n  headers: {request: {set: {':authority': b.example.com}}}\n  route:\n  - destination: {host: a}\n", "spec.http[0].headers.request.set: authority header cannot be set multiple times" },
        { "vs cors method", "VirtualService", "hosts: [reviews]\nhttp:\n- corsPolicy: {allowMethods: [GET, FETCH], maxAge: 1.5s}\n  route:\n  - destination: {host: a}\n", "spec.http[0].corsPolicy.allowMethods[1]: \"FETCH\" is not a supported HTTP method" },
        { "vs export both", "VirtualService", "hosts: [reviews]\nexportTo: ['*', other]\n" + Route, "spec.exportTo: cannot have both public (*) and non-public exportTo values for a resource" },
        { "vs export none", "VirtualService", "hosts: [reviews]\nexportTo: ['~']\n" + Route, "spec.exportTo: exportTo ~ (none) is not allowed for Istio configuration objects" },
        { "vs export duplicate", "VirtualService", "hosts: [reviews]\nexportTo: [default, '.']\n" + Route, "spec.exportTo: duplicate entries in exportTo: . and current namespace \"default\"" },
        { "vs delegate valid", "VirtualService", "http:\n- match:\n  - uri: {prefix: /reviews}\n  route:\n  - destination: {host: reviews}\n", null },
        { "vs delegate gateways", "VirtualService", "gateways: [mesh]\n" + Route, "spec.gateways: delegate virtual service must have no gateways specified" },
        { "vs delegate regex", "VirtualService", "http:\n- match:\n  - uri: {regex: /a.*}\n  route:\n  - destination: {host: reviews}\n", "spec.http[0].match[0].uri: uri match does not support regex match for delegating" },
        { "vs root route", "VirtualService", "hosts: [reviews]\nhttp:\n- delegate: {name: d, namespace: ns}\n  route:\n  - destination: {host: a}\n", "spec.http[0].route: root HTTP route \"\" must not specify route" },
        { "vs sni subset", "VirtualService", "hosts: ['*.example.com']\ngateways: [gw]\ntls:\n- match:\n  - sniHosts: [other.org]\n  route:\n  - destination: {host: a}\n", "spec.tls[0].match[0].sniHosts[0]: SNI host \"other.org\" is not a compatible subset of any of the virtual service hosts" },
        { "vs tcp subnet", "VirtualService", "hosts: [reviews]\ntcp:\n- match:\n  - destinationSubnets: [10.0.0.0/33]\n  route:\n  - destination: {host: a}\n", "spec.tcp[0].match[0].destinationSubnets[0]: \"10.0.0.0/33\" is not a valid CIDR block" },
        { "vs source labels", "VirtualService", "hosts: [reviews]\nhttp:\n- match:\n  - sourceLabels: {app: 'bad value'}\n  route:\n  - destination: {host: a}\n", "spec.http[0].match[0].sourceLabels: invalid tag value: \"bad value\"" },
        { "vs list type", "VirtualService", "hosts: reviews\n" + Route, "spec.hosts: must be a list of a strings, not \"reviews\"" },
        { "vs null item", "VirtualService", "hosts: [reviews]\nhttp:\n- null\n", "spec.http[0]: may not be null" },

        // DestinationRule
        { "dr valid", "DestinationRule", "host: reviews\nsubsets:\n- {name: v1, labels: {version: v1}}\n", null },
        { "dr host", "DestinationRule", "subsets:\n- {name: v1}\n", "spec.host: empty domain name not allowed" },
        { "dr enum", "DestinationRule", "host: reviews\ntrafficPolicy: {loadBalancer: {simple: FASTEST}}\n", "spec.trafficPolicy.loadBalancer.simple: \"FASTEST\" is not one of ROUND_ROBIN, LEAST_CONN, RANDOM, PASSTHROUGH" },
        { "dr lb oneof", "DestinationRule", "host: reviews\ntrafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}\n", "spec.trafficPolicy.loadBalancer: only one of simple and consistentHash may be set" },
        { "dr empty policy", "DestinationRule", "host: reviews\ntrafficPolicy: {}\n", "spec.trafficPolicy: traffic policy must have at least one field" },
        { "dr subset name", "DestinationRule", "host: reviews\nsubsets:\n- {labels: {version: v1}}\n", "spec.subsets[0].name: subset name cannot be empty" },
        { "dr subset labels", "DestinationRule", "host: reviews\nsubsets:\n- {name: v1, labels: {'-bad': v1}}\n", "spec.subsets[0].labels: invalid tag key: \"-bad\"" },
        { "dr connect timeout", "DestinationRule", "host: reviews\ntrafficPolicy: {connectionPool: {tcp: {connectTimeout: 0s}}}\n", "spec.trafficPolicy.connectionPool.tcp.connectTimeout: duration must be greater than 1ms" },
        { "dr negative", "DestinationRule", "host: reviews\ntrafficPolicy: {connectionPool: {http: {maxRetries: -1}}}\n", "spec.trafficPolicy.connectionPool.http.maxRetries: max retries must be non-negative" },
        { "dr mutual", "DestinationRule", "host: reviews\ntrafficPolicy: {tls: {mode: MUTUAL}}\n", "spec.trafficPolicy.tls.clientCertificate: client certificate required for mutual tls" },
        { "dr ejection", "DestinationRule", "host: reviews\ntrafficPolicy: {outlierDetection: {maxEjectionPercent: 101}}\n", "spec.trafficPolicy.outlierDetection.maxEjectionPercent: percentage 101 is not in range 0..100" },
        { "dr cookie ttl", "DestinationRule", "host: reviews\ntrafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {name: user}}}}\n", "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.ttl: ttl required for HttpCookie" },
        { "dr locality weights", "DestinationRule", "host: reviews\ntrafficPolicy: {loadBalancer: {localityLbSetting: {distribute: [{from: us/*, to: {us/a: 60, us/b: 30}}]}}}\n", "spec.trafficPolicy.loadBalancer.localityLbSetting: total locality weight 90 != 100" },
        { "dr locality failover", "DestinationRule", "host: reviews\ntrafficPolicy: {loadBalancer: {localityLbSetting: {failover: [{from: us, to: us}]}}}\n", "spec.trafficPolicy.loadBalancer.localityLbSetting: locality lb failover settings must specify different regions" },
        { "dr port policy", "DestinationRule", "host: reviews\ntrafficPolicy: {portLevelSettings: [{loadBalancer: {simple: RANDOM}}]}\n", "spec.trafficPolicy.portLevelSettings[0].port: portTrafficPolicy must have valid port" },
        { "dr wildcard host", "DestinationRule", "host: '*.example.com'\n", null },

        // ServiceEntry
        { "se valid", "ServiceEntry", "hosts: [api.example.com]\nports: [{number: 443, name: tls, protocol: TLS}]\nresolution: DNS\n", null },
        { "se star", "ServiceEntry", "hosts: ['*']\nports: [{number: 80, name: http, protocol: HTTP}]\n", "spec.hosts[0]: invalid host *" },
        { "se no hosts", "ServiceEntry", "ports: [{number: 80, name: http, protocol: HTTP}]\n", "spec.hosts: service entry must have at least one host" },
        { "se port twice", "ServiceEntry", "hosts: [a.example.com]\nports: [{number: 80, name: http, protocol: HTTP}, {number: 80, name: web, protocol: HTTP}]\n", "spec.ports[1].number: service entry port 80 already defined" },
        { "se protocol", "ServiceEntry", "hosts: [a.example.com]\nports: [{number: 80, name: http, protocol: SPDY}]\n", "spec.ports[0].protocol: unsupported protocol: \"SPDY\"" },
        { "se dns wildcard", "ServiceEntry", "hosts: ['*.example.com']\nports: [{number: 80, name: http, protocol: HTTP}]\nresolution: DNS\n", "spec.hosts[0]: hosts must be FQDN if no endpoints are provided for resolution mode DNS" },
        { "se static address", "ServiceEntry", "hosts: [a.example.com]\nports: [{number: 80, name: http, protocol: HTTP}]\nresolution: STATIC\nendpoints: [{address: db.example.com}]\n", "spec.endpoints[0].address: \"db.example.com\" is not a valid IP" },
        { "se endpoint port", "ServiceEntry", "hosts: [a.example.com]\nports: [{number: 80, name: http, protocol: HTTP}]\nresolution: STATIC\nendpoints: [{address: 10.0.0.1, ports: {grpc: 9090}}]\n", "spec.endpoints[0].ports[\"grpc\"]: endpoint port 9090 is not defined by the service entry" },
        { "se tcp hosts", "ServiceEntry", "hosts: [a.example.com, b.example.com]\nports: [{number: 5432, name: tcp, protocol: TCP}]\nresolution: DNS\n", "spec.hosts: multiple hosts provided with non-HTTP, non-TLS ports" },
        { "se none endpoints", "ServiceEntry", "hosts: [a.example.com]\nports: [{number: 80, name: http, protocol: HTTP}]\nendpoints: [{address: 10.0.0.1}]\n", "spec.endpoints: no endpoints should be provided for resolution type none" },
        { "se cidr dns", "ServiceEntry", "hosts: [a.example.com]\naddresses: [10.0.0.0/24]\nports: [{number: 80, name: http, protocol: HTTP}]\nresolution: DNS\n", "spec.addresses: CIDR addresses are allowed only for NONE/STATIC resolution types" },
        { "se export none", "ServiceEntry", "hosts: [a.example.com]\nports: [{number: 80, name: http, protocol: HTTP}]\nexportTo: ['~']\n", null },
        { "se location", "ServiceEntry", "hosts: [a.example.com]\nports: [{number: 80, name: http, protocol: HTTP}]\nlocation: OUTSIDE\n", "spec.location: \"OUTSIDE\" is not one of MESH_EXTERNAL, MESH_INTERNAL" },
        { "se selector and endpoints", "ServiceEntry", "hosts: [a.example.com]\nports: [{number: 80, name: http, protocol: HTTP}]\nresolution: STATIC\nworkloadSelector: {labels: {app: a}}\nendpoints: [{address: 10.0.0.1}]\n", "spec.workloadSelector: only one of WorkloadSelector or Endpoints is allowed in Service Entry" },

        // WorkloadEntry
        { "we valid", "WorkloadEntry", "address: 10.0.0.7\nports: {http: 9080}\nlabels: {app: details}\n", null },
        { "we address", "WorkloadEntry", "ports: {http: 9080}\n", "spec.address: address must be set" },
        { "we port", "WorkloadEntry", "address: vm.example.com\nports: {http: 0}\n", "spec.ports[\"http\"]: port number 0 must be in the range 1..65535" },
        { "we unix ports", "WorkloadEntry", "address: unix:///var/run/app.sock\nports: {http: 80}\n", "spec.ports: unix endpoint \"unix:///var/run/app.sock\" must not include ports" },
        { "we bad address", "WorkloadEntry", "address: not_an_address\n", "spec.address: endpoint address \"not_an_address\" is not a valid FQDN or an IP address" },

        // Gateway
        { "gw valid", "Gateway", "selector: {istio: ingressgateway}\nservers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: ['*.example.com']\n", null },
        { "gw no servers", "Gateway", "selector: {istio: ingressgateway}\n", "spec.servers: gateway must have at least one server" },
        { "gw short host", "Gateway", "servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [reviews]\n", "spec.servers[0].hosts[0]: short names (non FQDN) are not allowed" },
        { "gw https no tls", "Gateway", "servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [a.example.com]\n", "spec.servers[0].tls: server must have TLS settings for HTTPS/TLS protocols" },
        { "gw simple no cert", "Gateway", "servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [a.example.com]\n  tls: {mode: SIMPLE}\n", "spec.servers[0].tls.serverCertificate: SIMPLE TLS requires a server certificate" },
        { "gw port names", "Gateway", "servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [a.example.com]\n- port: {number: 8080, name: http, protocol: HTTP}\n  hosts: [b.example.com]\n", "spec.servers[1].port.name: port names in servers must be unique: duplicate name \"http\"" },
        { "gw plain tls", "Gateway", "servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [a.example.com]\n  tls: {mode: SIMPLE, credentialName: cert}\n", "spec.servers[0].tls: server cannot have TLS settings for plain text HTTP ports" },
        { "gw tls version", "Gateway", "servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [a.example.com]\n  tls: {mode: SIMPLE, credentialName: cert, minProtocolVersion: TLSV1_4}\n", "spec.servers[0].tls.minProtocolVersion: \"TLSV1_4\" is not one of TLS_AUTO, TLSV1_0, TLSV1_1, TLSV1_2, TLSV1_3" },

        // Sidecar
        { "sc valid", "Sidecar", "egress:\n- hosts: [./*, istio-system/*]\n", null },
        { "sc empty", "Sidecar", "workloadSelector: {labels: {app: a}}\n", "spec: sidecar: empty configuration provided" },
        { "sc host form", "Sidecar", "egress:\n- hosts: [reviews.default.svc.cluster.local]\n", "spec.egress[0].hosts[0]: host must be of form namespace/dnsName" },
        { "sc catch-all order", "Sidecar", "egress:\n- hosts: [./*]\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [./*]\n", "spec.egress[0]: sidecar: the egress listener with empty port should be the last listener in the list" },
        { "sc default endpoint", "Sidecar", "ingress:\n- port: {number: 9080, name: http, protocol: HTTP}\n  defaultEndpoint: 10.0.0.1:9080\n", "spec.ingress[0].defaultEndpoint: sidecar: defaultEndpoint must be of form 127.0.0.1:<port> or 0.0.0.0:<port>" },
        { "sc egress proxy", "Sidecar", "outboundTrafficPolicy: {mode: REGISTRY_ONLY, egressProxy: {host: proxy.example.com, port: {number: 3128}}}\n", "spec.outboundTrafficPolicy.egressProxy: sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode" },
        { "sc selector wildcard", "Sidecar", "workloadSelector: {labels: {app: 'web*'}}\negress:\n- hosts: ['*/*']\n", "spec.workloadSelector.labels[\"app\"]: wildcard is not supported in selector" },
        { "sc capture mode", "Sidecar", "ingress:\n- port: {number: 9080, name: http, protocol: HTTP}\n  defaultEndpoint: 127.0.0.1:9080\n  captureMode: SOMETIMES\n", "spec.ingress[0].captureMode: \"SOMETIMES\" is not one of DEFAULT, IPTABLES, NONE" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Spec_is_validated_as_Istio_1_10_does(string name, string kind, string yaml, string? expectedError)
    {
        var (spec, errors, _) = IstioSpecs.Parse(kind, yaml);

        if (expectedError is null)
        {
            errors.Should().BeEmpty(name);
            spec.Should().NotBeNull();
        }
        else
        {
            errors.Should().Contain(e => e.StartsWith(expectedError, StringComparison.Ordinal), $"{name}: {string.Join(" | ", errors)}");
            spec.Should().BeNull();
        }
    }

    [Fact]
    public void Unknown_fields_are_warned_about_and_ignored_as_the_API_server_prunes_them()
    {
        var (spec, errors, warnings) = IstioSpecs.Parse("VirtualService", "hosts: [reviews]\nhttp:\n- websocketUpgrade: true\n  route:\n  - destination: {host: a}\n");

        errors.Should().BeEmpty();
        spec.Should().NotBeNull();
        warnings.Should().Equal("spec.http[0][\"websocketUpgrade\"]: unknown field, ignored (the API server's structural schema prunes it)");
    }

    [Fact]
    public void Errors_are_bounded_in_number_and_length()
    {
        var hosts = string.Join(", ", Enumerable.Range(0, 100).Select(i => $"bad_{i}_{new string('x', 500)}"));

        var (_, errors, _) = IstioSpecs.Parse("VirtualService", $"hosts: [{hosts}]\n" + Route);

        errors.Should().HaveCount(11);
        errors[^1].Should().Be("... and 90 more errors");
        errors.Should().OnlyContain(e => e.Length <= 300);
        errors[0].Should().StartWith("spec.hosts[0]: domain name \"bad_0_xxx").And.Contain("...");
    }

    [Fact]
    public void Istio_enum_names_are_exact()
    {
        IstioSpecs.Parse("DestinationRule", "host: a\ntrafficPolicy: {loadBalancer: {simple: least_conn}}\n").Errors.Should().ContainSingle();
        IstioSpecs.Parse("DestinationRule", "host: a\ntrafficPolicy: {loadBalancer: {simple: LEAST_CONN}}\n").Errors.Should().BeEmpty();
    }
}
