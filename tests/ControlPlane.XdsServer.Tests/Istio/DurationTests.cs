using ControlPlane.Mesh.Istio.Parsing;

namespace ControlPlane.XdsServer.Tests.Istio;

/// <summary>Durations as Istio 1.10 reads them: protobuf JSON ("1.5s") and Go's time.ParseDuration forms ("100ms", "1h30m"), which Istio's own examples use.</summary>
public sealed class DurationTests
{
    [Theory]
    [InlineData("1.5s", 1500)]
    [InlineData("0.001s", 1)]
    [InlineData("100ms", 100)]
    [InlineData("24h", 86_400_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1m0.5s", 60_500)]
    [InlineData("1.5m", 90_000)]
    [InlineData("2500us", 2.5)]
    [InlineData("0", 0)]
    public void Both_forms_parse(string text, double milliseconds)
    {
        ProtobufDuration.TryParse(text, out var duration).Should().BeTrue();
        duration.Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData("1 minute")]
    [InlineData("5")]
    [InlineData("1d")]
    [InlineData("s")]
    [InlineData("")]
    public void Other_text_does_not(string text) => ProtobufDuration.TryParse(text, out _).Should().BeFalse();
}
