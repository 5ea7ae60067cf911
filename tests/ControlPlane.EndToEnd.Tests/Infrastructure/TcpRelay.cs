using System.Net;
using System.Net.Sockets;

namespace ControlPlane.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a server, to take that server away and bring it back:
/// <see cref="GoAway"/> resets every relayed connection and stops listening (connections are
/// refused, as from a server that is down), <see cref="ComeBack"/> listens on the same port again.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly object _gate = new();
    private readonly List<(TcpClient Client, TcpClient Upstream)> _open = new();
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    public TcpRelay(IPEndPoint target)
    {
        _target = target;
        Port = Listen(0);
    }

    public int Port { get; }

    /// <summary>Connections relayed so far.</summary>
    public int Accepted { get; private set; }

    public void GoAway()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var (client, upstream) in _open)
            {
                Reset(client);
                Reset(upstream);
            }

            _open.Clear();
        }
    }

    public void ComeBack()
    {
        lock (_gate)
        {
            if (_listener is null)
            {
                Listen(Port);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        GoAway();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
            // Stopped.
        }
    }

    private int Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _accepting = AcceptAsync(listener);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception)
            {
                return;
            }

            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(_target);
            }
            catch (Exception)
            {
                Reset(client);
                upstream.Dispose();
                continue;
            }

            lock (_gate)
            {
                if (_listener != listener)
                {
                    Reset(client);
                    Reset(upstream);
                    return;
                }

                _open.Add((client, upstream));
                Accepted++;
            }

            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception)
        {
            // Reset by GoAway or by either side.
        }
    }

    /// <summary>Closes with RST, as a crashed server's kernel does, so the peer sees the connection break at once.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
        catch (Exception)
        {
            // Already closed.
        }
    }
}
