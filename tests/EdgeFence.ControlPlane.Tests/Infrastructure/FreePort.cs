using System.Net;
using System.Net.Sockets;

namespace EdgeFence.ControlPlane.Tests.Infrastructure;

/// <summary>
/// A loopback port nobody listens on right now. For an edge that must come back on the same address after a
/// restart (the control plane pushes to a fixed URL); everything else binds port 0.
/// </summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
