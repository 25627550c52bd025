using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of the registry that passes what the registry sends at a set rate, as a registry
/// across a network would (FRESH_LINK_MIBPS): runner B's download then waits on the link rather than on the CPU.
/// Requests go through unthrottled. A connection idle for a while gets no burst (50 ms of credit at most, which makes up for late timers).
/// </summary>
sealed class ThrottledLink : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly double _bytesPerSecond;

    public ThrottledLink(string upstream, double bytesPerSecond)
    {
        _upstream = IPEndPoint.Parse(upstream);
        _bytesPerSecond = bytesPerSecond;
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public string Host => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(_upstream);
                await Task.WhenAny(PumpAsync(client.GetStream(), upstream.GetStream(), double.PositiveInfinity),
                    PumpAsync(upstream.GetStream(), client.GetStream(), _bytesPerSecond));
            }
            catch (Exception e) when (e is IOException or SocketException) { }
        }
    }

    private static async Task PumpAsync(Stream from, Stream to, double bytesPerSecond)
    {
        var buffer = new byte[64 * 1024];
        var clock = Stopwatch.StartNew();
        double due = 0;
        int n;
        while ((n = await from.ReadAsync(buffer)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n));
            // At most 50 ms of credit: enough to make up for a late timer, too little for a burst after a pause.
            due = Math.Max(due, clock.Elapsed.TotalSeconds - 0.05) + n / bytesPerSecond;
            double ahead = due - clock.Elapsed.TotalSeconds;
            if (ahead > 0.002) await Task.Delay(TimeSpan.FromSeconds(ahead));
        }
    }

    public void Dispose() => _listener.Stop();
}
