using System.Net.Sockets;
using System.Text;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>
/// A client that owns one TCP connection and speaks HTTP/1.1 as bytes: it writes exactly what a test gives it (several
/// requests in one send to pipeline them, half a head to stall) and reads responses one at a time, strictly: each must
/// start with a status line right where the previous one ended, so a body byte too many (a HEAD answered with a body)
/// is a failure. Every read has a deadline.
/// </summary>
public sealed class WireClient : IAsyncDisposable
{
    /// <summary>Longest wait for a response (or the rest of one).</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[64 * 1024];
    private bool _ended;

    private WireClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>Bytes read past the last response (the start of the next one, or bytes that should not be there).</summary>
    public int PendingCount => _pending.Count;

    public static async Task<WireClient> ConnectAsync(string baseUrl)
    {
        var uri = new Uri(baseUrl);
        var client = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(ReadTimeout);
        await client.ConnectAsync(uri.Host, uri.Port, cts.Token);
        return new WireClient(client);
    }

    public Task SendAsync(string latin1) => SendAsync(Encoding.Latin1.GetBytes(latin1));

    public async Task SendAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        await _stream.WriteAsync(bytes, cts.Token);
    }

    /// <summary>Reads the next response; <paramref name="toHead"/> says it answers a HEAD (a head with no body, whatever it announces).</summary>
    public async Task<WireResponse> ReadResponseAsync(bool toHead = false)
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        var token = cts.Token;
        int end;
        while ((end = IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await FillAsync(token))
            {
                Assert.Fail($"the connection ended before a whole response head; got: {Encoding.Latin1.GetString([.. _pending])}");
            }
        }

        var head = Take(end + 4);
        Assert.True(head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal), $"not a status line where a response should start:\n{head}");
        var status = int.Parse(head.AsSpan(9, 3));
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in head[..^4].Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }

        var response = new WireResponse(status, head, headers, [], Chunked: false);
        if (toHead || status is 204 or 304 || status < 200)
        {
            return response;
        }

        if (response.Header("Transfer-Encoding") is { } coding)
        {
            Assert.Equal("chunked", coding);
            return response with { Body = await ReadChunkedAsync(token), Chunked = true };
        }

        if (response.Header("Content-Length") is { } length)
        {
            return response with { Body = await ReadExactlyAsync(int.Parse(length), token) };
        }

        // Close-delimited.
        while (await FillAsync(token))
        {
        }

        return response with { Body = Encoding.Latin1.GetBytes(Take(_pending.Count)) };
    }

    /// <summary>
    /// Waits, at most <paramref name="max"/>, for the server to close the connection (end of stream or reset); true
    /// when it did. Bytes that arrive meanwhile are kept (<see cref="PendingCount"/>).
    /// </summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan max)
    {
        using var cts = new CancellationTokenSource(max);
        try
        {
            while (await FillAsync(cts.Token))
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Slowloris: sends <paramref name="piece"/>(i) every <paramref name="interval"/> until the server closes the
    /// connection or <paramref name="max"/> has passed; true when it closed.
    /// </summary>
    public async Task<bool> TrickleUntilClosedAsync(Func<int, string> piece, TimeSpan interval, TimeSpan max)
    {
        var until = DateTime.UtcNow + max;
        for (var i = 0; DateTime.UtcNow < until; i++)
        {
            try
            {
                await SendAsync(piece(i));
            }
            catch (IOException)
            {
                // Reset by the server: closed.
                return true;
            }

            if (await ClosedWithinAsync(interval))
            {
                return true;
            }
        }

        return false;
    }

    public string PendingText => Encoding.Latin1.GetString([.. _pending]);

    private async Task<byte[]> ReadChunkedAsync(CancellationToken token)
    {
        var body = new List<byte>();
        while (true)
        {
            int end;
            while ((end = IndexOf("\r\n"u8)) < 0)
            {
                Assert.True(await FillAsync(token), "the connection ended inside a chunk size line");
            }

            var line = Take(end + 2)[..^2];
            var size = Convert.ToInt32(line.Split(';')[0], 16);
            body.AddRange(await ReadExactlyAsync(size, token));
            var crlf = await ReadExactlyAsync(2, token);
            if (size == 0)
            {
                // No trailers expected from the edge: the last chunk is followed by the empty line.
                Assert.Equal("\r\n"u8.ToArray(), crlf);
                return [.. body];
            }

            Assert.Equal("\r\n"u8.ToArray(), crlf);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken token)
    {
        while (_pending.Count < count)
        {
            Assert.True(await FillAsync(token), $"the connection ended {count - _pending.Count} bytes short of a body");
        }

        var bytes = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return bytes;
    }

    /// <summary>One read; false at the end of the stream (or a reset: both mean the server closed).</summary>
    private async Task<bool> FillAsync(CancellationToken token)
    {
        if (_ended)
        {
            return false;
        }

        int read;
        try
        {
            read = await _stream.ReadAsync(_buffer, token);
        }
        catch (IOException ex) when (ex.InnerException is SocketException)
        {
            read = 0;
        }

        if (read == 0)
        {
            _ended = true;
            return false;
        }

        _pending.AddRange(_buffer.AsSpan(0, read));
        return true;
    }

    private string Take(int count)
    {
        var text = Encoding.Latin1.GetString([.. _pending.GetRange(0, count)]);
        _pending.RemoveRange(0, count);
        return text;
    }

    private int IndexOf(ReadOnlySpan<byte> needle)
    {
        var bytes = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending);
        return bytes.IndexOf(needle);
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
