using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes.Admission;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>meta/v1 LabelSelector semantics, as webhooks' namespaceSelector and objectSelector use them.</summary>
public sealed class SelectorMatcherTests
{
    private static bool Matches(string? selector, string? labels) =>
        SelectorMatcher.Matches(selector is null ? null : JsonNode.Parse(selector), labels is null ? null : JsonNode.Parse(labels)!.AsObject());

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("{}", """{"a":"1"}""", true)]
    [InlineData("""{"matchLabels":{"a":"1"}}""", """{"a":"1","b":"2"}""", true)]
    [InlineData("""{"matchLabels":{"a":"1"}}""", """{"a":"2"}""", false)]
    [InlineData("""{"matchLabels":{"a":"1"}}""", null, false)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"In","values":["1","2"]}]}""", """{"a":"2"}""", true)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"In","values":["1"]}]}""", null, false)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"NotIn","values":["1"]}]}""", """{"a":"2"}""", true)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"NotIn","values":["1"]}]}""", null, true)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"NotIn","values":["1"]}]}""", """{"a":"1"}""", false)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"Exists"}]}""", """{"a":""}""", true)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"Exists"}]}""", """{"b":"1"}""", false)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"DoesNotExist"}]}""", """{"b":"1"}""", true)]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"DoesNotExist"}]}""", """{"a":"1"}""", false)]
    [InlineData("""{"matchLabels":{"a":"1"},"matchExpressions":[{"key":"b","operator":"Exists"}]}""", """{"a":"1"}""", false)]
    public void Matches_labels(string? selector, string? labels, bool expected) =>
        Matches(selector, labels).Should().Be(expected);

    [Theory]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}""")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"In"}]}""")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"Exists","values":["1"]}]}""")]
    public void Refuses_malformed_selectors(string selector) =>
        FluentActions.Invoking(() => Matches(selector, "{}")).Should().Throw<FormatException>();
}
