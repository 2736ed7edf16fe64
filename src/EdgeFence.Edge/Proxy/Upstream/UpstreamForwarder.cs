using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using EdgeFence.Edge.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// The edge's own HTTP/1.1 upstream engine: forwards a plain HTTP/1.x request over a pooled keep-alive
/// connection to an <c>http:</c> origin. The request head is written as bytes in one send, both bodies
/// stream (never buffered whole), the response head is parsed strictly (<see cref="ResponseHeadParser"/>).
/// Upgrades, HTTP/2 clients, CONNECT and TLS origins are not its job: <see cref="CanForward"/> leaves them
/// to YARP. Failures are reported like YARP's (<see cref="ForwarderError"/> and the error feature) so the
/// request handler treats both engines alike.
/// </summary>
internal sealed class UpstreamForwarder : IAsyncDisposable
{
    private static readonly byte[] s_lastChunk = "0\r\n\r\n"u8.ToArray();

    private readonly ConcurrentDictionary<string, OriginPool?> _pools = new(StringComparer.Ordinal);
    private readonly TimeSpan _responseTimeout;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;

    public UpstreamForwarder(TimeSpan responseTimeout, ILogger<UpstreamForwarder> logger)
        : this(responseTimeout, UpstreamLimits.IdleTimeout, logger)
    {
    }

    public UpstreamForwarder(TimeSpan responseTimeout, TimeSpan idleTimeout, ILogger logger)
    {
        _responseTimeout = responseTimeout;
        _idleTimeout = idleTimeout;
        _logger = logger;
    }

    /// <summary>The pool for a site's origin, or null when the origin is not plain <c>http:</c> (YARP forwards then).</summary>
    public OriginPool? PoolFor(string originPrefix)
        => _pools.TryGetValue(originPrefix, out var pool) ? pool : _pools.GetOrAdd(originPrefix, static (prefix, idle) => OriginAddress.TryCreate(prefix) is { } address ? new OriginPool(address, idle) : null, _idleTimeout);

    /// <summary>Plain HTTP/1.0 or 1.1 requests that are not upgrades or CONNECT.</summary>
    public static bool CanForward(HttpContext context)
    {
        var request = context.Request;
        return (HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol))
            && !HttpMethods.IsConnect(request.Method)
            && context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest != true
            && !request.Headers.ContainsKey("Upgrade");
    }

    /// <summary>
    /// Forwards the request and copies the response. Returns <see cref="ForwarderError.None"/> on success;
    /// otherwise sets the error feature and, when the response has not started, 502, 504 or 400.
    /// </summary>
    public async Task<ForwarderError> SendAsync(HttpContext context, OriginPool pool, ForwardTransform transform)
    {
        var request = context.Request;

        // :: Step 1: how the request body is framed to the origin. Kestrel has already de-chunked and
        // validated the client's framing; a body of unknown length goes chunked.
        var contentLength = request.ContentLength;
        var chunkedBody = contentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
        var hasBody = chunkedBody || contentLength > 0;
        var isHead = HttpMethods.IsHead(request.Method);

        // Resending is safe only when the origin cannot have acted on it: an idempotent method with no body
        // (RFC 9110 9.2.2), and only when no response byte arrived.
        var retryable = !hasBody && IsIdempotent(request.Method);

        // :: Step 2: the head as bytes, once (a retry resends the same bytes).
        HeadBuilder head;
        try
        {
            head = BuildHead(request, pool.Address, transform, contentLength, chunkedBody);
        }
        catch (InvalidOperationException ex)
        {
            return Fail(context, ForwarderError.Request, ex, StatusCodes.Status502BadGateway);
        }

        // :: Step 3: one token for the client's abort and the origin's silence (reset at every read: an activity timeout, like YARP's).
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var token = cts.Token;
        cts.CancelAfter(_responseTimeout);
        OriginConnection? connection = null;
        Task<ForwarderError> body = Task.FromResult(ForwarderError.None);
        var headRead = false;
        try
        {
            // :: Step 4: send, and read the final response head; a reused connection that fails before any
            // response byte is the idle-reuse race: a retryable request is sent once more on a fresh connection.
            ResponseHead response;
            string? connectionHeader;
            for (var attempt = 0; ; attempt++)
            {
                connection = attempt == 0 ? TakeIdle(pool, retryable) : null;
                if (connection is null)
                {
                    try
                    {
                        connection = await pool.ConnectAsync(token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is SocketException or IOException)
                    {
                        return Fail(context, ForwarderError.Request, ex, StatusCodes.Status502BadGateway);
                    }
                }

                try
                {
                    await connection.Stream.WriteAsync(head.Written, token).ConfigureAwait(false);
                    if (hasBody)
                    {
                        body = SendBodyAsync(request.BodyReader, connection, chunkedBody, cts);
                    }

                    (response, connectionHeader) = await ReadHeadAsync(connection, context.Response, token).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (attempt == 0 && retryable && connection.Reused && !connection.ResponseStarted
                    && ex is IOException or SocketException && !token.IsCancellationRequested)
                {
                    Log.UpstreamRetried(_logger, pool.Address.Authority, ex.Message);
                    await connection.DisposeAsync().ConfigureAwait(false);
                    context.Response.Headers.Clear();
                }
            }

            // :: Step 5: the status and headers; the edge's own response headers go on top.
            var httpResponse = context.Response;
            httpResponse.StatusCode = response.Status;
            if (connectionHeader is not null)
            {
                foreach (var range in connectionHeader.AsSpan().Split(','))
                {
                    var named = connectionHeader.AsSpan()[range].Trim();
                    if (!named.IsEmpty)
                    {
                        httpResponse.Headers.Remove(named.ToString());
                    }
                }
            }

            var framing = response.Framing(isHead);
            if (framing == ResponseFraming.ContentLength || (isHead && response.ContentLength >= 0))
            {
                httpResponse.ContentLength = response.ContentLength;
            }

            transform.ApplyResponse(httpResponse.Headers);

            // :: Step 6: the body, streamed; the head leaves with the first body bytes (one send for small responses).
            headRead = true;
            var clean = await CopyBodyAsync(connection, framing, response.ContentLength, httpResponse.BodyWriter, cts, _responseTimeout, chunkToClient: false).ConfigureAwait(false);

            // One flush for what is still buffered (for a small response: head and body together). Leaving the
            // last bytes to Kestrel's end-of-request flush held them until the client connection's keep-alive
            // timeout (130 s) when earlier flushes had happened (seen as a 100 MiB download at 0.8 MiB/s in
            // loadtests/run.sh --quick; ProxyTests.Large_response_streams_back_whole took 2 min).
            if ((await httpResponse.BodyWriter.FlushAsync(token).ConfigureAwait(false)).IsCompleted && framing != ResponseFraming.None)
            {
                clean = false;
            }

            // :: Step 7: reuse only a connection whose response was read exactly, that the origin keeps open,
            // and that has finished sending the request body (an origin may answer before reading it all).
            var reusable = clean && response.AllowsReuse(isHead) && body.IsCompleted && body.Result == ForwarderError.None;
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
            return ForwarderError.None;
        }
        catch (Exception ex)
        {
            // :: Step 8: failures. The connection is never reused; a started response is aborted so the client
            // sees a truncated response, never a complete-looking one.
            if (connection is not null)
            {
                connection.Abort();
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            // The body task must not outlive the request (it reads the client's body pipe).
            await cts.CancelAsync().ConfigureAwait(false);
            var bodyError = await body.ConfigureAwait(false);
            var error = Classify(ex, context, headRead, bodyError);
            if (context.Response.HasStarted)
            {
                context.Abort();
            }

            var status = error switch
            {
                ForwarderError.RequestTimedOut => StatusCodes.Status504GatewayTimeout,
                ForwarderError.RequestBodyClient => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status502BadGateway,
            };
            return Fail(context, error, ex, status);
        }
        finally
        {
            head.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pool in _pools.Values)
        {
            if (pool is not null)
            {
                await pool.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    internal static OriginConnection? TakeIdle(OriginPool pool, bool retryable)
    {
        var connection = pool.TakeIdle();

        // A request that cannot be resent must not go out on a connection the origin has already closed:
        // one non-blocking poll tells (a retryable one saves the syscall and relies on the retry).
        while (connection is not null && !retryable && connection.LooksClosed())
        {
            _ = connection.DisposeAsync();
            connection = pool.TakeIdle();
        }

        connection?.ResetForRequest();
        return connection;
    }

    private static HeadBuilder BuildHead(HttpRequest request, OriginAddress origin, ForwardTransform transform, long? contentLength, bool chunked)
    {
        var head = new HeadBuilder(2048);
        try
        {
            head.RequestLine(transform.Method, transform.PathAndQuery);
            head.Header("Host", transform.Host ?? origin.Authority);
            var connection = request.Headers.Connection;
            var named = connection.Count == 0 ? null : connection.ToString();
            foreach (var (name, values) in request.Headers)
            {
                if (HopByHopHeaders.Contains(name) || HopByHopHeaders.IsNamedIn(name, named) || transform.IsStripped(name))
                {
                    continue;
                }

                foreach (var value in values)
                {
                    head.Header(name, value ?? "");
                }
            }

            foreach (var (name, value) in transform.AddedHeaders)
            {
                head.Header(name, value);
            }

            if (contentLength is { } length)
            {
                head.Header("Content-Length"u8, length);
            }
            else if (chunked)
            {
                head.Bytes("Transfer-Encoding: chunked\r\n"u8);
            }

            head.Bytes("\r\n"u8);
            return head;
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }

    /// <summary>Streams the request body to the origin; on a client-side failure it closes the origin socket so the response read ends too.</summary>
    private async Task<ForwarderError> SendBodyAsync(PipeReader client, OriginConnection connection, bool chunked, CancellationTokenSource cts)
    {
        var token = cts.Token;
        var buffer = ArrayPool<byte>.Shared.Rent(UpstreamLimits.BodyChunkBytes + 32);
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await client.ReadAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return ForwarderError.RequestBodyCanceled;
                }
                catch (Exception ex) when (ex is IOException or BadHttpRequestException or InvalidOperationException)
                {
                    connection.Abort();
                    return ForwarderError.RequestBodyClient;
                }

                try
                {
                    foreach (var segment in result.Buffer)
                    {
                        for (var offset = 0; offset < segment.Length; offset += UpstreamLimits.BodyChunkBytes)
                        {
                            var piece = segment.Slice(offset, Math.Min(UpstreamLimits.BodyChunkBytes, segment.Length - offset));
                            if (chunked)
                            {
                                var length = ChunkFrame(piece.Span, buffer);
                                await connection.Stream.WriteAsync(buffer.AsMemory(0, length), token).ConfigureAwait(false);
                            }
                            else
                            {
                                await connection.Stream.WriteAsync(piece, token).ConfigureAwait(false);
                            }
                        }
                    }

                    client.AdvanceTo(result.Buffer.End);

                    // Body bytes moving count as activity: a long upload is not an origin timeout.
                    cts.CancelAfter(_responseTimeout);
                    if (result.IsCompleted)
                    {
                        if (chunked)
                        {
                            await connection.Stream.WriteAsync(s_lastChunk, token).ConfigureAwait(false);
                        }

                        return ForwarderError.None;
                    }
                }
                catch (OperationCanceledException)
                {
                    return ForwarderError.RequestBodyCanceled;
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
                {
                    return ForwarderError.RequestBodyDestination;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One chunk: hex size, CRLF, data, CRLF, in one buffer so it leaves in one write.</summary>
    internal static int ChunkFrame(ReadOnlySpan<byte> data, byte[] buffer)
    {
        data.Length.TryFormat(buffer, out var digits, "x", System.Globalization.CultureInfo.InvariantCulture);
        "\r\n"u8.CopyTo(buffer.AsSpan(digits));
        data.CopyTo(buffer.AsSpan(digits + 2));
        "\r\n"u8.CopyTo(buffer.AsSpan(digits + 2 + data.Length));
        return digits + 4 + data.Length;
    }

    /// <summary>Reads heads until the final one (skipping up to <see cref="UpstreamLimits.MaxInterimResponses"/> 1xx), copying its headers.</summary>
    private async Task<(ResponseHead Head, string? Connection)> ReadHeadAsync(OriginConnection connection, HttpResponse response, CancellationToken token)
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

            if (TryParse(buffer, response.Headers, out var head, out var named))
            {
                reader.AdvanceTo(buffer.GetPosition(head.HeadLength));
                if (!head.IsInterim)
                {
                    return (head, named);
                }

                // 101 would switch protocols on a request that asked for no upgrade: refuse it.
                if (head.Status == StatusCodes.Status101SwitchingProtocols || ++interim > UpstreamLimits.MaxInterimResponses)
                {
                    OriginProtocolException.Throw(head.Status == 101 ? "101 without an upgrade request" : "too many interim responses");
                }

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

    private static bool TryParse(in ReadOnlySequence<byte> buffer, IHeaderDictionary headers, out ResponseHead head, out string? connection)
    {
        var copier = new ResponseHeaderCopier(headers);
        var done = ResponseHeadParser.TryParse(buffer, ref copier, out head);
        connection = copier.Connection;
        return done;
    }

    /// <summary>
    /// Copies the body per its framing. Returns whether the connection ended exactly at the body's end (and is still
    /// open). <paramref name="chunkToClient"/>: the fast path writes to the client's socket itself, so a body not
    /// framed by Content-Length goes out chunked (Kestrel does that on its own path); the last chunk is the caller's.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal static async ValueTask<bool> CopyBodyAsync(OriginConnection connection, ResponseFraming framing, long contentLength, PipeWriter client, CancellationTokenSource cts, TimeSpan responseTimeout, bool chunkToClient, IClientProgress? progress = null, ResponsePrefix? prefix = null)
    {
        var reader = connection.Reader;
        var token = cts.Token;
        if (framing == ResponseFraming.None)
        {
            prefix?.WriteTo(client);
            return NothingLeft(reader);
        }

        var remaining = framing == ResponseFraming.ContentLength ? contentLength : long.MaxValue;
        var chunks = default(ChunkedDecoder);
        var sentToClient = 0L;
        var first = true;
        while (framing != ResponseFraming.ContentLength || remaining > 0)
        {
            // Bytes may already be buffered behind the head: the first read returns them without a syscall.
            if (!first)
            {
                var unflushed = progress is not null && client.CanGetUnflushedBytes ? client.UnflushedBytes : 0;
                if ((await client.FlushAsync(token).ConfigureAwait(false)).IsCompleted)
                {
                    throw new OperationCanceledException("the client has gone");
                }

                if (progress is not null)
                {
                    sentToClient += unflushed;
                    progress.ResponseSent(sentToClient);
                }
            }

            first = false;
            if (progress is not null)
            {
                progress.OriginActive(responseTimeout);
            }
            else
            {
                cts.CancelAfter(responseTimeout);
            }

            var result = await reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            switch (framing)
            {
                case ResponseFraming.ContentLength:
                    var take = Math.Min(remaining, buffer.Length);
                    Write(client, buffer.Slice(0, take), false, prefix);
                    remaining -= take;
                    reader.AdvanceTo(buffer.GetPosition(take));
                    if (remaining > 0 && result.IsCompleted)
                    {
                        throw new OriginProtocolException("the origin closed the connection before the end of the Content-Length body");
                    }

                    break;

                case ResponseFraming.Chunked:
                    var consumed = Decode(ref chunks, buffer, client, chunkToClient, prefix);
                    if (chunks.IsDone)
                    {
                        prefix?.WriteTo(client);
                        // Examined only up to the end: NothingLeft must still see any byte the origin sent after it.
                        reader.AdvanceTo(consumed);
                        return NothingLeft(reader);
                    }

                    reader.AdvanceTo(consumed, buffer.End);

                    if (result.IsCompleted)
                    {
                        throw new OriginProtocolException("the origin closed the connection inside a chunked body");
                    }

                    break;

                default:
                    Write(client, buffer, chunkToClient, prefix);
                    reader.AdvanceTo(buffer.End);
                    if (result.IsCompleted)
                    {
                        prefix?.WriteTo(client);
                        // The origin half-closed (or closed) to end the body: that is the framing; never reused.
                        return false;
                    }

                    break;
            }
        }

        prefix?.WriteTo(client);
        return NothingLeft(reader);
    }

    private static SequencePosition Decode(ref ChunkedDecoder chunks, in ReadOnlySequence<byte> buffer, PipeWriter client, bool chunkToClient, ResponsePrefix? prefix)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (chunks.TryRead(ref reader, out var data))
        {
            Write(client, data, chunkToClient, prefix);
        }

        return reader.Position;
    }

    /// <summary>After a body read whole: a reusable connection has no extra bytes buffered and was not closed by the origin.</summary>
    internal static bool NothingLeft(PipeReader reader)
    {
        if (!reader.TryRead(out var result))
        {
            return true;
        }

        var clean = result.Buffer.IsEmpty && !result.IsCompleted;
        reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        return clean;
    }

    private static void Write(PipeWriter client, in ReadOnlySequence<byte> data, bool chunked = false, ResponsePrefix? prefix = null)
    {
        if (data.IsEmpty)
        {
            return;
        }

        prefix?.WriteTo(client);

        if (chunked)
        {
            // One chunk per piece read: the size line, the data, CRLF.
            var size = client.GetSpan(20);
            data.Length.TryFormat(size, out var digits, "x", System.Globalization.CultureInfo.InvariantCulture);
            "\r\n"u8.CopyTo(size[digits..]);
            client.Advance(digits + 2);
            foreach (var segment in data)
            {
                client.Write(segment.Span);
            }

            client.Write("\r\n"u8);
            return;
        }

        foreach (var segment in data)
        {
            client.Write(segment.Span);
        }
    }

    /// <summary>Which side failed, in YARP's terms: "destination" is the origin, "client" the client.</summary>
    private static ForwarderError Classify(Exception ex, HttpContext context, bool headRead, ForwarderError bodyError)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return ForwarderError.RequestCanceled;
        }

        if (bodyError is ForwarderError.RequestBodyClient or ForwarderError.RequestBodyDestination)
        {
            return bodyError;
        }

        if (ex is OperationCanceledException)
        {
            // The origin went silent: 504 while the client has seen nothing, else the response is cut.
            return context.Response.HasStarted ? ForwarderError.ResponseBodyDestination : ForwarderError.RequestTimedOut;
        }

        if (!headRead)
        {
            return ex is OriginProtocolException ? ForwarderError.ResponseHeaders : ForwarderError.Request;
        }

        return ForwarderError.ResponseBodyDestination;
    }

    private static ForwarderError Fail(HttpContext context, ForwarderError error, Exception? exception, int status)
    {
        context.Features.Set<IForwarderErrorFeature>(new UpstreamErrorFeature(error, exception));
        if (!context.Response.HasStarted)
        {
            context.Response.Headers.Clear();
            context.Response.StatusCode = status;
        }

        return error;
    }

    internal static bool IsIdempotent(string method)
        => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)
            || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);
}
