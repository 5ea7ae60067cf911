namespace ControlPlane.XdsServer.Tests.CommandLine;

/// <summary>The xds-server command line fills in XdsServerOptions.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task The_stream_limits_reach_the_options()
    {
        var options = await ParseAsync("--max-request-bytes", "65536", "--max-streams-per-connection", "7", "--max-queued-requests", "2");

        options.MaxRequestBytes.Should().Be(65536);
        options.MaxStreamsPerConnection.Should().Be(7);
        options.MaxQueuedRequests.Should().Be(2);
    }

    [Fact]
    public async Task Without_options_the_limits_keep_their_documented_defaults()
    {
        var options = await ParseAsync();

        options.MaxRequestBytes.Should().Be(4 * 1024 * 1024);
        options.MaxStreamsPerConnection.Should().Be(100);
        options.MaxQueuedRequests.Should().Be(4);
        options.GrpcPort.Should().Be(15010);
        options.HttpPort.Should().Be(15014);
    }

    [Fact]
    public async Task Endpoint_pushes_after_a_quiet_spell_go_at_once_unless_every_one_is_debounced()
    {
        (await ParseAsync()).DebounceEveryEndpointPush.Should().BeFalse();
        (await ParseAsync("--debounce-every-eds-push")).DebounceEveryEndpointPush.Should().BeTrue();
    }

    [Theory]
    [InlineData("--max-request-bytes")]
    [InlineData("--max-streams-per-connection")]
    [InlineData("--max-queued-requests")]
    public async Task A_limit_below_one_is_refused(string option)
    {
        XdsServerOptions? parsed = null;
        var command = XdsServerCommandLine.Create((o, _) =>
        {
            parsed = o;
            return Task.FromResult(0);
        });

        var result = command.Parse([option, "0"]);

        result.Errors.Should().ContainSingle().Which.Message.Should().Contain(option).And.Contain("at least 1");
        (await result.InvokeAsync()).Should().NotBe(0);
        parsed.Should().BeNull();
    }

    private static async Task<XdsServerOptions> ParseAsync(params string[] args)
    {
        XdsServerOptions? parsed = null;
        var exit = await XdsServerCommandLine.Create((options, _) =>
        {
            parsed = options;
            return Task.FromResult(0);
        }).Parse(args).InvokeAsync();
        exit.Should().Be(0);
        return parsed!;
    }
}
