using ControlPlane.Crds.Tests.Infrastructure;

namespace ControlPlane.Crds.Tests;

/// <summary>
/// Proves the validator behind <see cref="ExampleTests"/> can fail: each case breaks a valid resource in one way
/// and expects that, and only that, to be reported.
/// </summary>
public class SchemaValidatorTests
{
    private const string ValidDestinationRule = """
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata:
          name: ratings
          namespace: bookinfo
        spec:
          host: ratings
          trafficPolicy:
            loadBalancer:
              simple: RANDOM
            outlierDetection:
              consecutive5xxErrors: 3
          subsets:
          - name: v1
            labels:
              version: v1
        """;

    [Fact]
    public void Accepts_the_valid_resource()
    {
        Errors(ValidDestinationRule).Should().BeEmpty();
    }

    [Fact]
    public void Rejects_an_unknown_field()
    {
        Errors(ValidDestinationRule.Replace("simple: RANDOM", "simple: RANDOM\n      sticky: true"))
            .Should().ContainSingle().Which.Should().Be("<root>.spec.trafficPolicy.loadBalancer: unknown field 'sticky'");
    }

    [Fact]
    public void Rejects_a_wrong_enum_value()
    {
        Errors(ValidDestinationRule.Replace("simple: RANDOM", "simple: FASTEST"))
            .Should().ContainSingle().Which.Should().StartWith("<root>.spec.trafficPolicy.loadBalancer.simple: 'FASTEST' is not one of");
    }

    [Fact]
    public void Rejects_a_wrong_type()
    {
        Errors(ValidDestinationRule.Replace("consecutive5xxErrors: 3", "consecutive5xxErrors: three"))
            .Should().ContainSingle().Which.Should().Contain("consecutive5xxErrors: expected integer, found string");
    }

    [Fact]
    public void Rejects_a_quoted_number_for_an_integer_field()
    {
        Errors(ValidDestinationRule.Replace("consecutive5xxErrors: 3", "consecutive5xxErrors: \"3\""))
            .Should().ContainSingle().Which.Should().Contain("expected integer, found string '3'");
    }

    [Fact]
    public void Rejects_a_list_where_an_object_belongs()
    {
        Errors(ValidDestinationRule.Replace("    loadBalancer:\n      simple: RANDOM", "    loadBalancer:\n    - RANDOM"))
            .Should().ContainSingle().Which.Should().Be("<root>.spec.trafficPolicy.loadBalancer: expected object, found a list");
    }

    [Fact]
    public void Rejects_a_missing_required_field()
    {
        Errors(ValidDestinationRule.Replace("  - name: v1\n    labels:", "  - labels:"))
            .Should().ContainSingle().Which.Should().Be("<root>.spec.subsets[0]: required field 'name' is missing");
    }

    [Fact]
    public void Rejects_fields_of_one_oneof_set_together()
    {
        var both = ValidDestinationRule.Replace(
            "simple: RANDOM", "simple: RANDOM\n      consistentHash:\n        useSourceIp: true");

        Errors(both).Should().ContainSingle().Which.Should().StartWith("<root>.spec.trafficPolicy.loadBalancer: must satisfy exactly one oneOf");
    }

    [Fact]
    public void Accepts_a_string_or_integer_where_both_are_allowed()
    {
        foreach (var size in new[] { "1024", "\"1024\"" })
        {
            var text = ValidDestinationRule.Replace(
                "simple: RANDOM", $"consistentHash:\n        httpHeaderName: x-user\n        minimumRingSize: {size}");

            Errors(text).Should().BeEmpty();
        }
    }

    private static IReadOnlyList<string> Errors(string yaml)
    {
        var example = IstioExamples.Parse("inline.yaml", yaml).Single();
        var schema = CrdCatalog.ForKind(example.Kind).Spec.Versions[0].Schema.OpenAPIV3Schema;
        return SchemaValidator.Validate(example.Body(), schema);
    }
}
