using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace ControlPlane.Mesh.Hosting;

/// <summary>Recognises Kestrel's "could not listen" failures, which deserve one clear line rather than a stack trace.</summary>
public static class BindFailure
{
    /// <summary>True when <paramref name="e"/> (or an exception inside it) is a port that could not be bound.</summary>
    public static bool Is(Exception? e) => Find(e) is not null;

    /// <summary>The socket-level cause: the port is in use, or binding it is not permitted, or null when <paramref name="e"/> is something else.</summary>
    public static Exception? Find(Exception? e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is AddressInUseException)
            {
                return current;
            }

            if (current is SocketException { SocketErrorCode: SocketError.AccessDenied or SocketError.AddressNotAvailable or SocketError.AddressAlreadyInUse })
            {
                return current;
            }
        }

        return null;
    }
}
