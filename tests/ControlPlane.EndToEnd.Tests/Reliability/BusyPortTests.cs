using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ControlPlane.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ControlPlane.EndToEnd.Tests.Reliability;

/// <summary>
/// Each program started on a port another process holds: one line naming the endpoint, the port and
/// the option that changes it, no stack trace, and exit code 1.
/// </summary>
public sealed class BusyPortTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("grpc", "--grpc-port")]
    [InlineData("http", "--http-port")]
    public async Task The_xds_server_on_a_busy_port_says_which_port_and_option_in_one_line_and_exits_1(string endpoint, string option)
    {
        using var held = HoldPort();
        var port = ((IPEndPoint)held.LocalEndpoint).Port;
        string[] ports = option == "--grpc-port" ? ["--grpc-port", $"{port}", "--http-port", "0"] : ["--grpc-port", "0", "--http-port", $"{port}"];

        await using var xds = ControlPlaneProcess.Start("xds-server", ["--listen-address", "127.0.0.1", .. ports], output);

        (await xds.WaitForExitAsync()).Should().Be(1);
        ExpectOneLineAbout(xds.Output, endpoint, port, option);
    }

    [Theory]
    [InlineData("webhook", "--webhook-port")]
    [InlineData("http", "--http-port")]
    public async Task The_operator_on_a_busy_port_says_which_port_and_option_in_one_line_and_exits_1(string endpoint, string option)
    {
        await using var cluster = await TestCluster.StartAsync();
        var home = await cluster.CreateNamespaceAsync("busy");
        using var held = HoldPort();
        var port = ((IPEndPoint)held.LocalEndpoint).Port;
        string[] ports = option == "--webhook-port" ? ["--webhook-port", $"{port}", "--http-port", "0"] : ["--webhook-port", "0", "--http-port", $"{port}"];

        await using var op = ControlPlaneProcess.Start(
            "operator",
            ["--kubeconfig", cluster.KubeconfigPath, "--namespace", home, "--listen-address", "127.0.0.1", "--webhook-config", $"{home}-injector", .. ports],
            output);

        (await op.WaitForExitAsync()).Should().Be(1);
        ExpectOneLineAbout(op.Output, endpoint, port, option);
    }

    private static TcpListener HoldPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static void ExpectOneLineAbout(IReadOnlyList<string> lines, string endpoint, int port, string option)
    {
        lines.Should().NotContain(l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("\\n   at ", StringComparison.Ordinal), "no stack trace");
        lines.Should().NotContain(l => l.Contains("OperationCanceledException", StringComparison.Ordinal));
        var problems = lines.Where(l => Level(l) is "Error" or "Fatal" or null).ToList();
        var line = problems.Should().ContainSingle("one line says what went wrong, and nothing else is an error").Which;
        line.Should().Contain($"127.0.0.1:{port}").And.Contain(option).And.Contain("already in use").And.Contain(endpoint);
    }

    /// <summary>The Serilog level of a JSON log line (Information when absent); null for anything that is not one.</summary>
    private static string? Level(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.TryGetProperty("@l", out var level) ? level.GetString() : "Information";
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
