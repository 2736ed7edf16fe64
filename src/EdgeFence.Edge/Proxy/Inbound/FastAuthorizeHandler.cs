using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Authorize;
using EdgeFence.Edge.DecisionLog;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Proxy.Upstream;
using EdgeFence.Edge.Snapshots;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>
/// Middleware mode (<c>POST /v1/authorize</c>) on the fast path: the same steps as <see cref="AuthorizeHandler"/>'s
/// Kestrel adapter (origin key, bounded body, decision, answer), fed from the request's bytes and answered as one
/// head and body on the client's transport, with no HttpContext, header collections or response stream.
/// </summary>
internal sealed class FastAuthorizeHandler
{
    /// <summary>Longest Authorization value read (an origin key is at most 256 characters; longer ones are refused).</summary>
    private const int MaxAuthorizationChars = 512;

    private readonly AuthorizeHandler _authorize;
    private readonly DecisionReporter _reporter;

    public FastAuthorizeHandler(AuthorizeHandler authorize, DecisionReporter reporter)
    {
        _authorize = authorize;
        _reporter = reporter;
    }

    /// <summary>Answers the authorize call whose head <paramref name="connection"/> has read (framed by Content-Length or bodiless).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<InboundOutcome> ServeAsync(InboundConnection connection, EdgeState state)
    {
        var requestId = RequestIds.Next();
        var head = connection.Head;
        var keepAlive = !connection.IsLastResponse;

        // :: Step 1: the site the origin key names (the one Authorization header; a repeated one names none).
        if (!FindSite(connection, state, requestId, out var site))
        {
            return await RefuseAsync(connection, DenyReason.InvalidOriginKey, AuthorizeHandler.OriginKeyProblem, requestId, keepAlive).ConfigureAwait(false);
        }

        // :: Step 2: the body, bounded before it is read. Threat: memory exhaustion by a caller announcing a huge body.
        var length = Math.Max(head.ContentLength, 0);
        if (AuthorizeHandler.IsTooLong(length))
        {
            _reporter.Refused(requestId, "POST", DenyReason.InvalidRequestBody, state.Version);
            return await RefuseAsync(connection, DenyReason.InvalidRequestBody, AuthorizeHandler.BodyProblem, requestId, keepAlive).ConfigureAwait(false);
        }

        connection.Consume();
        var body = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
        try
        {
            if (!await ReadBodyAsync(connection, body.AsMemory(0, (int)length)).ConfigureAwait(false))
            {
                // The client went away or was too slow mid-body: nothing to answer.
                return InboundOutcome.Close;
            }

            // :: Step 3: the described request, decided (and counted) as in proxy mode, and the answer.
            if (!_authorize.TryRead(state, site, body.AsSpan(0, (int)length), requestId, out var request, out var error))
            {
                FastProblemWriter.Write(connection.Output, DenyReason.InvalidRequestBody, error, requestId, close: !keepAlive, isHead: false);
            }
            else
            {
                var decision = await _authorize.DecideAsync(state, site, request, requestId).ConfigureAwait(false);
                WriteAnswer(connection, decision, requestId, keepAlive);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }

        await connection.FlushAsync().ConfigureAwait(false);
        return keepAlive ? InboundOutcome.KeepAlive : InboundOutcome.Close;
    }

    private bool FindSite(InboundConnection connection, EdgeState state, string requestId, out SiteRuntime site)
    {
        var bytes = connection.HeadBytes.Span;
        var head = connection.Head;
        Span<char> value = stackalloc char[MaxAuthorizationChars];
        var found = -1;
        for (var i = 0; i < head.HeaderCount; i++)
        {
            var header = head.Header(i);
            if (header.NameLength == 13 && Ascii.EqualsIgnoreCase(bytes.Slice(header.NameStart, 13), "Authorization"u8))
            {
                found = found == -1 && header.ValueLength <= value.Length ? i : -2;
            }
        }

        var length = found >= 0 ? FastRequestHandler.Copy(bytes, head.Header(found), value) : 0;
        return _authorize.TryFindSite(state, value[..length], requestId, out site);
    }

    /// <summary>Reads exactly <paramref name="body"/>'s length from the client, held to the minimum request body data rate.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> ReadBodyAsync(InboundConnection connection, Memory<byte> body)
    {
        var input = connection.Input;
        var read = 0;
        connection.BodyReceived(0);
        while (read < body.Length)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or Microsoft.AspNetCore.Connections.ConnectionResetException)
            {
                return false;
            }

            var buffer = result.Buffer;
            var take = (int)Math.Min(buffer.Length, body.Length - read);
            buffer.Slice(0, take).CopyTo(body.Span[read..]);
            read += take;
            input.AdvanceTo(buffer.GetPosition(take), read < body.Length ? buffer.End : buffer.GetPosition(take));
            connection.BodyReceived(read);
            if (read < body.Length && (result.IsCompleted || result.IsCanceled))
            {
                return false;
            }
        }

        connection.WaitingForOrigin();
        return true;
    }

    private static void WriteAnswer(InboundConnection connection, in Decision decision, string requestId, bool keepAlive)
    {
        var json = new ArrayBufferWriter<byte>(512);
        AuthorizeHandler.WriteAnswer(json, decision, requestId);
        var head = new HeadBuilder(512);
        try
        {
            head.Bytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"u8);
            FastProblemWriter.WriteDate(ref head);
            head.Header(RequestSigner.RequestIdHeader, requestId);
            ForwardTransform.WriteLimits(ref head, decision);
            if (!keepAlive)
            {
                head.Bytes("Connection: close\r\n"u8);
            }

            head.Header("Content-Length"u8, json.WrittenCount);
            head.Bytes("\r\n"u8);
            connection.Output.Write(head.Written.Span);
            connection.Output.Write(json.WrittenSpan);
        }
        finally
        {
            head.Dispose();
        }
    }

    /// <summary>A refusal before the body is read: the connection closes after it when a body is left unread.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<InboundOutcome> RefuseAsync(InboundConnection connection, DenyReason reason, string detail, string requestId, bool keepAlive)
    {
        var close = !keepAlive || connection.Head.ContentLength > 0;
        connection.Consume();
        FastProblemWriter.Write(connection.Output, reason, detail, requestId, close, isHead: false);
        await connection.FlushAsync().ConfigureAwait(false);
        return close ? InboundOutcome.Close : InboundOutcome.KeepAlive;
    }
}
