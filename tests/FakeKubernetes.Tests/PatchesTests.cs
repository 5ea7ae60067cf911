using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>RFC 6902 JSON patch as webhooks and clients send it.</summary>
public sealed class PatchesTests
{
    private static JsonNode Apply(string document, string patch) =>
        Patches.Apply(JsonNode.Parse(document)!, JsonNode.Parse(patch)!.AsArray());

    private static string Normal(string json) => JsonNode.Parse(json)!.ToJsonString();

    [Theory]
    [InlineData("""{"a":[{"n":1}]}""", """[{"op":"add","path":"/a/0/env","value":[1]}]""", """{"a":[{"n":1,"env":[1]}]}""")]
    [InlineData("""{"a":[{"env":[1]}]}""", """[{"op":"add","path":"/a/0/env/-","value":2}]""", """{"a":[{"env":[1,2]}]}""")]
    [InlineData("""{"a":[1,3]}""", """[{"op":"add","path":"/a/1","value":2}]""", """{"a":[1,2,3]}""")]
    [InlineData("""{"a":[1]}""", """[{"op":"add","path":"/a/1","value":2}]""", """{"a":[1,2]}""")]
    [InlineData("""{"a":{"b":1}}""", """[{"op":"add","path":"/a/b","value":2}]""", """{"a":{"b":2}}""")]
    [InlineData("""{"a":{}}""", """[{"op":"add","path":"/a/x~1y~0z","value":null}]""", """{"a":{"x/y~z":null}}""")]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"remove","path":"/a/1"}]""", """{"a":[1,3]}""")]
    [InlineData("""{"a":{"b":1,"c":2}}""", """[{"op":"replace","path":"/a/b","value":9}]""", """{"a":{"b":9,"c":2}}""")]
    [InlineData("""{"a":{"b":1},"c":[]}""", """[{"op":"move","from":"/a/b","path":"/c/-"}]""", """{"a":{},"c":[1]}""")]
    [InlineData("""{"a":{"b":[1]}}""", """[{"op":"copy","from":"/a/b","path":"/c"}]""", """{"a":{"b":[1]},"c":[1]}""")]
    [InlineData("""{"a":1}""", """[{"op":"test","path":"/a","value":1},{"op":"replace","path":"","value":{"b":2}}]""", """{"b":2}""")]
    public void Applies_operations(string document, string patch, string expected) =>
        Apply(document, patch).ToJsonString().Should().Be(Normal(expected));

    [Theory]
    [InlineData("""{"a":{}}""", """[{"op":"add","path":"/a/b/c","value":1}]""")]
    [InlineData("""{"a":[1]}""", """[{"op":"add","path":"/a/2","value":1}]""")]
    [InlineData("""{"a":[1]}""", """[{"op":"add","path":"/a/01","value":1}]""")]
    [InlineData("""{"a":{}}""", """[{"op":"replace","path":"/a/b","value":1}]""")]
    [InlineData("""{"a":{}}""", """[{"op":"remove","path":"/a/b"}]""")]
    [InlineData("""{"a":[]}""", """[{"op":"remove","path":"/a/0"}]""")]
    [InlineData("""{"a":1}""", """[{"op":"test","path":"/a","value":2}]""")]
    [InlineData("""{"a":{"b":{}}}""", """[{"op":"move","from":"/a","path":"/a/b/c"}]""")]
    public void Refuses_paths_that_do_not_fit(string document, string patch) =>
        FluentActions.Invoking(() => Apply(document, patch)).Should().Throw<ApiError>().Which.Code.Should().Be(422);

    [Theory]
    [InlineData("""[{"op":"add","path":"/a"}]""")]
    [InlineData("""[{"op":"shuffle","path":"/a"}]""")]
    [InlineData("""[{"path":"/a","value":1}]""")]
    [InlineData("""[{"op":"add","path":"a","value":1}]""")]
    public void Refuses_malformed_operations(string patch) =>
        FluentActions.Invoking(() => Apply("{}", patch)).Should().Throw<ApiError>().Which.Code.Should().Be(400);
}
