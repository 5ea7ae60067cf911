using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Ejection;
using ControlPlane.Mesh.Model.Istio;
using ControlPlane.Tests.Shared;
using ControlPlane.XdsServer.Tests.Istio;

namespace ControlPlane.XdsServer.Tests.Ejection;

/// <summary>
/// InterfaceOutlierDetection specs read into the typed model: Istio's HTTPMatchRequest read and checked as in a
/// VirtualService, Istio's outlier fields plus failurePercentage, and every error with its field path.
/// </summary>
public sealed class InterfaceOutlierDetectionParserTests
{
    private const string Kind = "InterfaceOutlierDetection";
    private const string Pay = "interfaces:\n- name: pay\n  match: {uri: {exact: /pay}}\n  outlierDetection: {consecutive5xxErrors: 3}\n";

    public static TheoryData<string, string, string?> Cases() => new()
    {
        { "valid", "host: payments\n" + Pay, null },
        { "fqdn and port", "host: payments.shop.svc.cluster.local\nport: 8080\nsubsets: [v1, v2]\n" + Pay, null },
        { "serviceentry host", "host: api.example.com\n" + Pay, null },
        { "no host", Pay, "spec.host: host is required" },
        { "wildcard host", "host: '*.example.com'\n" + Pay, "spec.host: must name one host, not a wildcard" },
        { "bad host", "host: bad_host\n" + Pay, "spec.host: domain name \"bad_host\" invalid" },
        { "port range", "host: payments\nport: 70000\n" + Pay, "spec.port: port number 70000 must be in the range 1..65535" },
        { "subset name", "host: payments\nsubsets: [v_1]\n" + Pay, "spec.subsets[0]: subset name is invalid: \"v_1\"" },
        { "subset twice", "host: payments\nsubsets: [v1, v1]\n" + Pay, "spec.subsets[1]: subset \"v1\" is listed twice" },
        { "no interfaces", "host: payments\n", "spec.interfaces: at least one interface is required" },
        { "interface name", "host: payments\ninterfaces:\n- name: Pay\n  match: {uri: {exact: /pay}}\n  outlierDetection: {consecutive5xxErrors: 3}\n", "spec.interfaces[0].name: \"Pay\" is not a DNS-1123 label" },
        { "interface twice", "host: payments\n" + Pay + "- name: pay\n  match: {uri: {prefix: /p}}\n  outlierDetection: {consecutive5xxErrors: 3}\n", "spec.interfaces[1].name: interface \"pay\" is named twice" },
        { "no match", "host: payments\ninterfaces:\n- name: pay\n  outlierDetection: {consecutive5xxErrors: 3}\n", "spec.interfaces[0].match: match is required" },
        { "empty match", "host: payments\ninterfaces:\n- name: pay\n  match: {}\n  outlierDetection: {consecutive5xxErrors: 3}\n", "spec.interfaces[0].match: an interface match needs at least one condition" },
        { "match port", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {exact: /pay}, port: 8080}\n  outlierDetection: {consecutive5xxErrors: 3}\n", "spec.interfaces[0].match.port: not supported in an interface match: set spec.port" },
        { "match source labels", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {exact: /pay}, sourceLabels: {app: web}}\n  outlierDetection: {consecutive5xxErrors: 3}\n", "spec.interfaces[0].match.sourceLabels: not supported in an interface match" },
        { "match regex", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {regex: '(a)\\1'}}\n  outlierDetection: {consecutive5xxErrors: 3}\n", "spec.interfaces[0].match.uri.regex: backreferences are not supported by RE2" },
        { "without headers regex", "host: payments\ninterfaces:\n- name: pay\n  match: {withoutHeaders: {x-a: {regex: '(?=a)'}}}\n  outlierDetection: {consecutive5xxErrors: 3}\n", "spec.interfaces[0].match.withoutHeaders[\"x-a\"].regex: lookahead and lookbehind are not supported by RE2" },
        { "two oneof members", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {exact: /pay, prefix: /p}}\n  outlierDetection: {consecutive5xxErrors: 3}\n", "spec.interfaces[0].match.uri: only one of exact, prefix and regex may be set" },
        { "no outlier", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {exact: /pay}}\n", "spec.interfaces[0].outlierDetection: outlierDetection is required" },
        { "no algorithm", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {exact: /pay}}\n  outlierDetection: {interval: 1s}\n", "spec.interfaces[0].outlierDetection: at least one of consecutive5xxErrors, consecutiveGatewayErrors (above 0) and failurePercentage (enforced above 0) is required" },
        { "failure percentage only", "host: payments\ninterfaces:\n- name: pay\n  match: {method: {exact: POST}}\n  outlierDetection: {failurePercentage: {}}\n", null },
        { "failure percentage off", "host: payments\ninterfaces:\n- name: pay\n  match: {method: {exact: POST}}\n  outlierDetection: {failurePercentage: {enforcingFailurePercentage: 0}}\n", "spec.interfaces[0].outlierDetection: at least one of" },
        { "threshold range", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {exact: /pay}}\n  outlierDetection: {failurePercentage: {threshold: 101}}\n", "spec.interfaces[0].outlierDetection.failurePercentage.threshold: percentage 101 is not in range 0..100" },
        { "ejection percent", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {exact: /pay}}\n  outlierDetection: {consecutive5xxErrors: 3, maxEjectionPercent: 101}\n", "spec.interfaces[0].outlierDetection.maxEjectionPercent: percentage 101 is not in range 0..100" },
        { "interval", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {exact: /pay}}\n  outlierDetection: {consecutive5xxErrors: 3, interval: 0.0005s}\n", "spec.interfaces[0].outlierDetection.interval: duration must be greater than 1ms" },
        { "deprecated consecutive errors", "host: payments\ninterfaces:\n- name: pay\n  match: {uri: {exact: /pay}}\n  outlierDetection: {consecutiveErrors: 3}\n", "spec.interfaces[0].outlierDetection.consecutiveErrors: not supported (deprecated in Istio)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Spec_is_checked_with_field_paths(string name, string yaml, string? expectedError)
    {
        var (spec, errors, _) = IstioSpecs.Parse(Kind, yaml);

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
    public void Too_many_interfaces_are_refused()
    {
        var interfaces = string.Concat(Enumerable.Range(0, 33).Select(i => $"- name: i{i}\n  match: {{uri: {{exact: /i{i}}}}}\n  outlierDetection: {{consecutive5xxErrors: 3}}\n"));

        IstioSpecs.Parse(Kind, "host: payments\ninterfaces:\n" + interfaces).Errors.Should().Contain("spec.interfaces: 33 interfaces, more than the 32 allowed");
    }

    [Fact]
    public void The_example_reads_into_the_typed_model_with_Istio_names_and_defaults()
    {
        var documents = KubernetesManifestReader.Read(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "controlplane", "interfaceoutlierdetection-payments.yaml")));
        documents.Should().ContainSingle().Which.Error.Should().BeNull();

        var result = new MeshObjectTranslator().Translate(documents[0].Object!);

        result.Error.Should().BeNull();
        result.WarningsOrEmpty.Should().BeEmpty();
        var iod = result.Object.Should().BeOfType<MeshInterfaceOutlierDetection>().Subject;
        iod.Key.Should().Be(new ObjectKey("shop", "payments"));
        iod.Spec.Host.Should().Be("payments");
        iod.Spec.Port.Should().Be(8080);
        iod.Spec.Subsets.Should().BeEmpty();
        iod.Spec.Interfaces.Select(i => i.Name).Should().Equal("pay", "refunds");
        var pay = iod.Spec.Interfaces[0];
        pay.Match.Uri.Should().Be(StringMatch.Exact("/pay"));
        pay.Match.Method.Should().Be(StringMatch.Exact("POST"));
        pay.OutlierDetection.Should().Be(new InterfaceOutlierSettings(5, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 50, 0, null));
        var refunds = iod.Spec.Interfaces[1];
        refunds.Match.Uri.Should().Be(StringMatch.Prefix("/refunds/"));
        refunds.OutlierDetection.FailurePercentage.Should().Be(new FailurePercentageEjection(50, 2, 20, 100));
        refunds.OutlierDetection.ToIstio().Should().Be(new OutlierDetection(0, 0, 0, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), 0, 0));
    }

    [Fact]
    public void An_unknown_api_version_of_the_kind_is_refused()
    {
        var documents = KubernetesManifestReader.Read("apiVersion: mesh.controlplane.io/v1\nkind: InterfaceOutlierDetection\nmetadata: {name: a}\nspec: {}\n");

        documents.Should().ContainSingle().Which.Error.Should().Be("unsupported kind InterfaceOutlierDetection (apiVersion mesh.controlplane.io/v1)");
    }

    [Fact]
    public void Equal_specs_are_equal_records_so_a_reread_is_no_change()
    {
        var a = IstioSpecs.Parse(Kind, "host: payments\n" + Pay).Spec;
        var b = IstioSpecs.Parse(Kind, "host: payments\n" + Pay).Spec;

        a.Should().Be(b);
        a.Should().NotBeSameAs(b);
    }
}
