using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace ContainerSdk.Tests.Registry;

/// <summary>One request on a connection: its head, its body (read it or not), and the connection to answer on.</summary>
internal sealed record HttpExchange(HttpConnection Connection, HttpRequestHead Request, RequestBody Body, string ListenerHost, string ListenerScheme);

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 (a free port, optionally TLS) for the token server and the fault proxy:
/// it owns the sockets, the handler owns the bytes. The handler returns false to close the connection; a body
/// it left unread is drained so the next request on a kept connection starts in the right place.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<HttpExchange, CancellationToken, Task<bool>> _handle;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _acceptLoop;

    public LoopbackHttpServer(Func<HttpExchange, CancellationToken, Task<bool>> handle, X509Certificate2? certificate = null)
    {
        _handle = handle;
        _certificate = certificate;
        _listener.Start();
        Host = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _acceptLoop = AcceptAsync();
    }

    /// <summary>"127.0.0.1:PORT".</summary>
    public string Host { get; }

    public string Scheme => _certificate is null ? "http" : "https";

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _open[socket] = 0;
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            if (_certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
            }
            await using var connection = new HttpConnection(socket, stream);
            while (await connection.ReadRequestHeadAsync(_stop.Token) is { } request)
            {
                var body = connection.OpenBody(request);
                if (!await _handle(new HttpExchange(connection, request, body, Host, Scheme), _stop.Token) || request.WantsClose) break;
                await body.DrainAsync(_stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException
                                      or InvalidDataException or FormatException or OverflowException or HttpRequestException
                                      or System.Security.Authentication.AuthenticationException)
        {
            // The client went away, was reset on purpose, or spoke nonsense: this connection is over, the server is not.
        }
        finally
        {
            _open.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _open.Keys) socket.Dispose();
        await _acceptLoop;
        _stop.Dispose();
    }
}
