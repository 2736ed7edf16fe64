using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeFence.Edge.Tests.Infrastructure;

/// <summary>
/// A deliberately misbehaving origin: a <see cref="TcpListener"/> on loopback that reads each request
/// (head, then a Content-Length or chunked body) and writes back exactly the bytes a test scripts, so the
/// edge's response parser meets framing no real server would send. Records every request and every
/// connection the edge closed.
/// </summary>
public sealed class RawOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<RawOriginRequest, RawReply> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;
    private int _closedByEdge;
    private int _closedByOrigin;

    private RawOrigin(Func<RawOriginRequest, RawReply> respond)
    {
        _respond = respond;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Connections the edge opened.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections the edge closed (EOF or reset while the origin waited for a request).</summary>
    public int ClosedByEdge => Volatile.Read(ref _closedByEdge);

    /// <summary>Connections this origin closed itself after a reply.</summary>
    public int ClosedByOrigin => Volatile.Read(ref _closedByOrigin);

    public ConcurrentQueue<RawOriginRequest> Requests { get; } = new();

    public static RawOrigin Start(Func<RawOriginRequest, RawReply> respond) => new(respond);

    /// <summary>Waits (at most 10 s) until <paramref name="condition"/> holds; returns whether it did.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        return condition();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var connection = Interlocked.Increment(ref _connections);
            _ = ServeAsync(socket, connection);
        }
    }

    private async Task ServeAsync(Socket socket, int connection)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var pending = new List<byte>();
        var buffer = new byte[64 * 1024];
        try
        {
            for (var index = 0; ; index++)
            {
                // :: Step 1: the head.
                int end;
                while ((end = IndexOf(pending, "\r\n\r\n"u8)) < 0)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        Interlocked.Increment(ref _closedByEdge);
                        return;
                    }

                    pending.AddRange(buffer.AsSpan(0, read));
                }

                var head = Encoding.Latin1.GetString([.. pending.GetRange(0, end + 4)]);
                pending.RemoveRange(0, end + 4);

                // :: Step 2: the body, by its framing.
                var body = new List<byte>();
                var lines = head.Split("\r\n");
                var length = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } cl ? long.Parse(cl[15..].Trim()) : 0;
                var chunked = lines.Any(l => l.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase));
                if (chunked)
                {
                    while (true)
                    {
                        var line = await ReadLineAsync(stream, pending, buffer);
                        var size = Convert.ToInt32(line.Split(';')[0], 16);
                        await FillAsync(stream, pending, buffer, size + 2);
                        body.AddRange(pending.GetRange(0, size));
                        pending.RemoveRange(0, size + 2);
                        if (size == 0)
                        {
                            break;
                        }
                    }
                }
                else
                {
                    await FillAsync(stream, pending, buffer, (int)length);
                    body.AddRange(pending.GetRange(0, (int)length));
                    pending.RemoveRange(0, (int)length);
                }

                var request = new RawOriginRequest(connection, index, head, [.. body]);
                Requests.Enqueue(request);

                // :: Step 3: the scripted reply.
                var reply = _respond(request);
                if (reply.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(reply.Delay, _stop.Token);
                }

                await stream.WriteAsync(reply.Bytes, _stop.Token);
                if (reply.Stall)
                {
                    // Never answer further, but notice when the edge gives up on the connection.
                    while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                    {
                    }

                    Interlocked.Increment(ref _closedByEdge);
                    return;
                }

                if (reply.CloseAfter > TimeSpan.Zero)
                {
                    await Task.Delay(reply.CloseAfter, _stop.Token);
                }

                if (reply.CloseAfter != TimeSpan.Zero || reply.Close)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    Interlocked.Increment(ref _closedByOrigin);
                    return;
                }
            }
        }
        catch (EndOfStreamException)
        {
            Interlocked.Increment(ref _closedByEdge);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            Interlocked.Increment(ref _closedByEdge);
        }
        catch (OperationCanceledException)
        {
            // Test over.
        }
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream, List<byte> pending, byte[] buffer)
    {
        int end;
        while ((end = IndexOf(pending, "\r\n"u8)) < 0)
        {
            await FillAsync(stream, pending, buffer, pending.Count + 1);
        }

        var line = Encoding.Latin1.GetString([.. pending.GetRange(0, end)]);
        pending.RemoveRange(0, end + 2);
        return line;
    }

    private static async Task FillAsync(NetworkStream stream, List<byte> pending, byte[] buffer, int count)
    {
        while (pending.Count < count)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            pending.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> needle)
    {
        for (var i = 0; i + needle.Length <= bytes.Count; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = bytes[i + j] == needle[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
