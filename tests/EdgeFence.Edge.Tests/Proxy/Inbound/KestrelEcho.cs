using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>
/// Kestrel's own HTTP/1.1 server on loopback with its default limits, answering each request with what it read (the
/// reference the fast path's parser is held to): method, raw target, protocol, each header value under its
/// lower-cased name, in <see cref="Fields"/>' format. Any status of 400 or more means Kestrel refused the head.
/// </summary>
internal sealed class KestrelEcho : IAsyncDisposable
{
    private const string FieldsHeader = "X-Read-Fields";

    private readonly WebApplication _app;
    private readonly IPEndPoint _endpoint;

    private KestrelEcho(WebApplication app, IPEndPoint endpoint)
    {
        _app = app;
        _endpoint = endpoint;
    }

    public static async Task<KestrelEcho> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        // HTTP/1.1 only, the layer the fast path stands in for (with HTTP/2 also on, Kestrel sniffs the first bytes
        // for the HTTP/2 preface and refuses a request whose first read is a lone "P").
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context =>
        {
            var request = context.Request;
            var headers = request.Headers.SelectMany(h => h.Value.Select(v => (h.Key.ToLowerInvariant(), v ?? "")));
            var fields = Fields(request.Method, context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget, request.Protocol, headers);

            // In a header, so HEAD requests carry it too.
            context.Response.Headers[FieldsHeader] = Convert.ToBase64String(Encoding.Latin1.GetBytes(fields));
            context.Response.Headers.Connection = "close";
            context.Response.ContentLength = 0;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port;
        return new KestrelEcho(app, new IPEndPoint(IPAddress.Loopback, port));
    }

    /// <summary>
    /// What a parser read of one head, comparable across parsers: header values grouped by name, in order. Connection
    /// is left out: Kestrel consumes it (it folds repeated options into one), and the fast path reads it into its
    /// keep-alive flag and strips it.
    /// </summary>
    public static string Fields(string method, string target, string protocol, IEnumerable<(string Name, string Value)> headers)
    {
        var text = new StringBuilder().Append(method).Append('\n').Append(target).Append('\n').Append(protocol).Append('\n');
        foreach (var group in headers.Where(h => h.Name != "connection").GroupBy(h => h.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append(group.Key).Append(": ").AppendJoin(" | ", group.Select(h => h.Value)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// Sends <paramref name="head"/> (in two writes when <paramref name="split"/> is inside it) and returns Kestrel's
    /// status and, on 200, what it read. <paramref name="halfClose"/> ends the stream after the bytes, so a head
    /// Kestrel finds incomplete is answered (or dropped, status 0) at once instead of after its timeout.
    /// </summary>
    public async Task<(int Status, string? Fields)> SendAsync(byte[] head, int split = -1, bool halfClose = false)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(_endpoint, timeout.Token);
        if (split > 0 && split < head.Length)
        {
            await socket.SendAsync(head.AsMemory(0, split), timeout.Token);
            await Task.Delay(2, timeout.Token);
            await socket.SendAsync(head.AsMemory(split), timeout.Token);
        }
        else
        {
            await socket.SendAsync(head, timeout.Token);
        }

        if (halfClose)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        // Read the answer's head only: every answer here has no body (Content-Length: 0), and waiting for the close
        // would cost a delayed ACK per case.
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while (received.Length < 64 * 1024 && !HasHeadEnd(received) && (n = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
            // A reset after the answer (Kestrel closing with unread bytes) still leaves the answer read.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("Kestrel did not answer within 10 s: " + RequestHeadCorpus.Escape(head));
        }

        var text = Encoding.Latin1.GetString(received.ToArray());
        if (text.Length < 12 || !text.StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return (0, null);
        }

        var status = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        var at = text.IndexOf("\r\n" + FieldsHeader + ": ", StringComparison.OrdinalIgnoreCase);
        if (status != 200 || at < 0)
        {
            return (status, null);
        }

        at += FieldsHeader.Length + 4;
        return (status, Encoding.Latin1.GetString(Convert.FromBase64String(text[at..text.IndexOf("\r\n", at, StringComparison.Ordinal)])));
    }

    private static bool HasHeadEnd(MemoryStream received) => received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf("\r\n\r\n"u8) >= 0;

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
