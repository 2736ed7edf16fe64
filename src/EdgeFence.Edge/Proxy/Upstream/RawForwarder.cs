using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using EdgeFence.Edge.Logging;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// The upstream engine for the fast path (Proxy/Inbound), which owns the client's connection: the request head
/// comes as bytes, the request body is read straight from the client's transport (exactly Content-Length bytes,
/// so a pipelined request behind it stays where it is), and the response head and body are written straight to
/// the client's transport. Connections, retries, framing and reuse follow <see cref="UpstreamForwarder"/>, whose
/// body copy it shares, so both engines read an origin alike.
/// </summary>
internal sealed class RawForwarder
{
    private static readonly byte[] s_lastChunk = "0\r\n\r\n"u8.ToArray();

    private readonly TimeSpan _responseTimeout;
    private readonly ILogger _logger;

    public RawForwarder(TimeSpan responseTimeout, ILogger logger)
    {
        _responseTimeout = responseTimeout;
        _logger = logger;
    }

    /// <summary>
    /// Sends <paramref name="originHead"/> and <paramref name="contentLength"/> body bytes from
    /// <paramref name="clientInput"/>, and writes the response to <paramref name="clientOutput"/> with
    /// <paramref name="edgeHeaders"/> (the edge's own response header lines) after the origin's. Never writes a
    /// refusal itself: when the result says the response has not started, the caller answers 502 or 504.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RawExchangeResult> ForwardAsync(OriginPool pool, ReadOnlyMemory<byte> originHead, long contentLength, bool isHead, bool idempotent,
        PipeReader clientInput, PipeWriter clientOutput, ReadOnlyMemory<byte> edgeHeaders, IClientProgress progress, ResponsePrefix prefix, CancellationTokenSource cts)
    {
        // :: Step 1: resending is safe only when the origin cannot have acted on it (RFC 9110 9.2.2).
        var hasBody = contentLength > 0;
        var retryable = !hasBody && idempotent;
        var token = cts.Token;
        progress.OriginActive(_responseTimeout);
        progress.WaitingForOrigin();

        OriginConnection? connection = null;
        Task<ForwarderError> body = Task.FromResult(ForwarderError.None);
        var lines = new HeadBuilder(1024);
        prefix.Clear();
        try
        {
            // :: Step 2: send, and read the final response head (the idle-reuse race retried as UpstreamForwarder does).
            ResponseHead head;
            for (var attempt = 0; ; attempt++)
            {
                connection = attempt == 0 ? UpstreamForwarder.TakeIdle(pool, retryable) : null;
                if (connection is null)
                {
                    try
                    {
                        connection = await pool.ConnectAsync(token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is SocketException or IOException)
                    {
                        return RawExchangeResult.Failed(ForwarderError.Request, 502, ex);
                    }
                }

                try
                {
                    await connection.Stream.WriteAsync(originHead, token).ConfigureAwait(false);
                    if (hasBody)
                    {
                        body = SendBodyAsync(clientInput, connection, contentLength, progress, cts, _responseTimeout);
                    }

                    (head, lines) = await ReadHeadAsync(connection, lines, token).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (attempt == 0 && retryable && connection.Reused && !connection.ResponseStarted
                    && ex is IOException or SocketException && !token.IsCancellationRequested)
                {
                    Log.UpstreamRetried(_logger, pool.Address.Authority, ex.Message);
                    await connection.DisposeAsync().ConfigureAwait(false);
                    lines.Clear();
                }
            }

            // :: Step 3: the client's head: the origin's status and headers, the framing, the edge's headers.
            var framing = head.Framing(isHead);
            var chunkToClient = framing is ResponseFraming.Chunked or ResponseFraming.CloseDelimited;
            if (framing == ResponseFraming.ContentLength || (isHead && head.ContentLength >= 0))
            {
                lines.Header("Content-Length"u8, head.ContentLength);
            }
            else if (chunkToClient)
            {
                lines.Bytes("Transfer-Encoding: chunked\r\n"u8);
            }

            lines.Bytes(edgeHeaders.Span);
            var last = progress.IsLastResponse;
            if (last)
            {
                lines.Bytes("Connection: close\r\n"u8);
            }

            lines.Bytes("\r\n"u8);
            prefix.Hold(lines.Written);

            // :: Step 4: the body, streamed; the head leaves with its first bytes (one send for a small response), and
            // only once they have been read and found valid.
            progress.ResponseSent(0);
            var clean = await UpstreamForwarder.CopyBodyAsync(connection, framing, head.ContentLength, clientOutput, cts, _responseTimeout, chunkToClient, progress, prefix).ConfigureAwait(false);
            if (chunkToClient)
            {
                clientOutput.Write(s_lastChunk);
            }

            var flushed = await clientOutput.FlushAsync(token).ConfigureAwait(false);
            progress.WaitingForOrigin();

            // :: Step 5: reuse the origin connection only when read exactly and the request body went whole; keep
            // the client's only when its whole body was read (else the next request's first byte is unknown).
            var bodyWhole = body.IsCompleted && body.Result == ForwarderError.None;
            var reusable = clean && head.AllowsReuse(isHead) && bodyWhole;
            if (!body.IsCompleted)
            {
                await cts.CancelAsync().ConfigureAwait(false);
                await body.ConfigureAwait(false);
            }

            if (reusable)
            {
                pool.Return(connection);
            }
            else
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            connection = null;
            return new RawExchangeResult(ForwarderError.None, head.Status, true, !last && bodyWhole && !flushed.IsCompleted, null);
        }
        catch (Exception ex)
        {
            // :: Step 6: failures: the origin connection is never reused; the client's neither once its response started.
            if (connection is not null)
            {
                connection.Abort();
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            await cts.CancelAsync().ConfigureAwait(false);
            var bodyError = await body.ConfigureAwait(false);
            var started = prefix.Written;
            var error = bodyError is ForwarderError.RequestBodyClient or ForwarderError.RequestBodyDestination ? bodyError
                : ex is OperationCanceledException ? (started ? ForwarderError.ResponseBodyDestination : ForwarderError.RequestTimedOut)
                : !started ? (ex is OriginProtocolException ? ForwarderError.ResponseHeaders : ForwarderError.Request)
                : ForwarderError.ResponseBodyDestination;
            var status = error switch
            {
                ForwarderError.RequestTimedOut => 504,
                ForwarderError.RequestBodyClient => 400,
                _ => 502,
            };
            return new RawExchangeResult(error, status, started, false, ex);
        }
        finally
        {
            lines.Dispose();
        }
    }

    /// <summary>
    /// Reads heads until the final one (skipping up to <see cref="UpstreamLimits.MaxInterimResponses"/> 1xx), its
    /// status line and headers written into <paramref name="lines"/>; returns the builder as it grew.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(ResponseHead Head, HeadBuilder Lines)> ReadHeadAsync(OriginConnection connection, HeadBuilder lines, CancellationToken token)
    {
        var reader = connection.Reader;
        var interim = 0;
        while (true)
        {
            var result = await reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                connection.ResponseStarted = true;
            }

            if (TryParse(buffer, ref lines, out var head))
            {
                reader.AdvanceTo(buffer.GetPosition(head.HeadLength));
                if (!head.IsInterim)
                {
                    return (head, lines);
                }

                // 101 would switch protocols on a request that asked for no upgrade: refuse it.
                if (head.Status == 101 || ++interim > UpstreamLimits.MaxInterimResponses)
                {
                    OriginProtocolException.Throw(head.Status == 101 ? "101 without an upgrade request" : "too many interim responses");
                }

                lines.Clear();
                continue;
            }

            if (result.IsCompleted)
            {
                if (buffer.IsEmpty && interim == 0)
                {
                    // Nothing at all: the classic closed-while-idle connection (retryable by the caller).
                    throw new IOException("the origin closed the connection before responding");
                }

                OriginProtocolException.Throw("the origin closed the connection inside the response head");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryParse(in ReadOnlySequence<byte> buffer, ref HeadBuilder lines, out ResponseHead head)
    {
        var writer = new ResponseHeadWriter(lines, named: null);
        var done = ResponseHeadParser.TryParse(buffer, ref writer, out head);
        lines = writer.Head;
        if (done && writer.NeedsSecondPass)
        {
            // Connection names headers that may have come before it: write the head again without them.
            lines.Clear();
            var again = new ResponseHeadWriter(lines, writer.Connection);
            ResponseHeadParser.TryParse(buffer, ref again, out head);
            lines = again.Head;
        }

        return done;
    }

    /// <summary>
    /// Streams exactly <paramref name="length"/> body bytes from the client's transport to the origin, leaving
    /// whatever follows (a pipelined request) unread. A client that ends early aborts the origin connection, so
    /// the origin never takes a short body for a whole one.
    /// </summary>
    private static async Task<ForwarderError> SendBodyAsync(PipeReader client, OriginConnection connection, long length, IClientProgress progress, CancellationTokenSource cts, TimeSpan responseTimeout)
    {
        var token = cts.Token;
        var sent = 0L;
        progress.BodyReceived(0);
        while (sent < length)
        {
            ReadResult result;
            try
            {
                result = await client.ReadAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return ForwarderError.RequestBodyCanceled;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
            {
                // OperationCanceledException without our token: Kestrel's ConnectionAbortedException, the client gone.
                connection.Abort();
                return ForwarderError.RequestBodyClient;
            }

            var buffer = result.Buffer;
            var take = Math.Min(length - sent, buffer.Length);
            var piece = buffer.Slice(0, take);
            try
            {
                foreach (var segment in piece)
                {
                    await connection.Stream.WriteAsync(segment, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                client.AdvanceTo(piece.End);
                return ForwarderError.RequestBodyCanceled;
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                client.AdvanceTo(piece.End);
                return ForwarderError.RequestBodyDestination;
            }

            client.AdvanceTo(piece.End);
            sent += take;
            progress.BodyReceived(sent);

            // Body bytes moving count as activity: a long upload is not an origin timeout.
            progress.OriginActive(responseTimeout);
            if (sent < length && (result.IsCompleted || result.IsCanceled))
            {
                // The client closed (or its connection was cut for a timeout) inside its body.
                connection.Abort();
                return ForwarderError.RequestBodyClient;
            }
        }

        // The body is in: from here the client waits for the origin, whose own timeout applies.
        progress.WaitingForOrigin();
        return ForwarderError.None;
    }
}
