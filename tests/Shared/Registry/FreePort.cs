using System.Net;
using System.Net.Sockets;

namespace ContainerSdk.Tests.Registry;

internal static class FreePort
{
    /// <summary>A port on 127.0.0.1 that was free a moment ago, for servers that must be told their port up front.</summary>
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
