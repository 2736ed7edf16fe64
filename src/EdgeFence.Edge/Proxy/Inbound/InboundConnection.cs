using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using EdgeFence.Edge.Proxy.Upstream;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>
/// One client connection on the fast path: reads request heads with <see cref="RequestHeadParser"/>, has each served
/// by <see cref="FastRequestHandler"/>, keeps the connection alive between them (pipelined requests included: a
/// request's bytes are consumed exactly, so the next one's stay in the pipe), and holds the client to the
/// connection's timeouts and data rates (<see cref="InboundTimeouts"/>, enforced by <see cref="InboundHeartbeat"/>).
/// Kestrel keeps the socket, TLS and graceful shutdown. A request the fast path does not serve ends the loop with
/// that request unread, and Kestrel's HTTP stack takes the connection from there.
/// </summary>
internal sealed class InboundConnection : IClientProgress
{
    private const long NoDeadline = long.MaxValue;

    private readonly ConnectionContext _context;
    private readonly FastRequestHandler _handler;
    private readonly InboundTimeouts _timeouts;
    private byte[]? _scratch;
    private ReadOnlySequence<byte> _buffer;
    private readonly Lock _originLock = new();
    private long _deadline = NoDeadline;
    private long _originDeadline = NoDeadline;
    private long _rateStart;
    private int _closing;
    private volatile bool _idle;
    private int _gone;

    public InboundConnection(ConnectionContext context, FastRequestHandler handler, InboundTimeouts timeouts)
    {
        _context = context;
        _handler = handler;
        _timeouts = timeouts;
        Input = context.Transport.Input;
        Output = context.Transport.Output;
        RemoteAddress = (context.RemoteEndPoint as IPEndPoint)?.Address.ToString();
    }

    public string Id => _context.ConnectionId;

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>The current request's head (offsets into <see cref="HeadBytes"/>).</summary>
    public RequestHead Head { get; } = new();

    /// <summary>The current request's head bytes (and whatever followed them in the same read), valid until <see cref="Consume"/>.</summary>
    public ReadOnlyMemory<byte> HeadBytes { get; private set; }

    /// <summary>The client's address, as Kestrel's connection reports it (X-Forwarded-For).</summary>
    public string? RemoteAddress { get; }

    /// <summary>Always http: TLS connections are Kestrel's (<see cref="FastPathMiddleware"/>).</summary>
    public string Scheme => "http";

    /// <summary>Kestrel asked the connection to close (graceful shutdown): the current response is the last.</summary>
    public bool Closing => Volatile.Read(ref _closing) != 0;

    /// <summary>The current response's head while it waits for the body's first valid bytes.</summary>
    public ResponsePrefix Prefix { get; } = new();

    /// <summary>The client closed its side (Kestrel's transport saw the end of its stream).</summary>
    public bool ClientGone => Volatile.Read(ref _gone) != 0;

    /// <summary>The origin's timeout for the current exchange (one source per connection, reset after each).</summary>
    public CancellationTokenSource OriginTimeout { get; private set; } = new();

    /// <summary>
    /// Serves requests until the connection ends. Returns true when the connection is to be handed to Kestrel's HTTP
    /// stack, with the current request unread.
    /// </summary>
    public async Task<bool> RunAsync()
    {
        using var closing = _context.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested.Register(static state => ((InboundConnection)state!).OnClosingRequested(), this);

        // A client that goes away while the origin works cancels the exchange, so the origin connection closes too
        // (what RequestAborted does on the Kestrel path).
        using var gone = _context.ConnectionClosed.Register(static state => ((InboundConnection)state!).OnClientGone(), this);
        try
        {
            while (true)
            {
                // :: Step 1: the next request head, within the keep-alive timeout, then the request-headers timeout.
                if (!await ReadHeadAsync().ConfigureAwait(false))
                {
                    return false;
                }

                if (Head.Status != RequestHeadStatus.Complete)
                {
                    Input.AdvanceTo(_buffer.Start);
                    return true;
                }

                // :: Step 2: serve it (or hand it off untouched).
                var outcome = await _handler.ServeAsync(this).ConfigureAwait(false);
                switch (outcome)
                {
                    case InboundOutcome.HandOff:
                        Input.AdvanceTo(_buffer.Start);
                        return true;
                    case InboundOutcome.Close:
                        return false;
                }

                if (Closing)
                {
                    return false;
                }
            }
        }
        finally
        {
            _deadline = NoDeadline;
            OriginTimeout.Dispose();
            if (_scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }
        }
    }

    /// <summary>Consumes the current request's head: from here its body, then the next request, are read.</summary>
    public void Consume()
    {
        Input.AdvanceTo(_buffer.GetPosition(Head.HeadLength));
        HeadBytes = default;
        _buffer = default;
    }

    /// <summary>Flushes a response the edge wrote itself, within the minimum response data rate.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync()
    {
        ResponseSent(0);
        await Output.FlushAsync().ConfigureAwait(false);
        _deadline = NoDeadline;
    }

    /// <summary>Makes the origin's timeout source ready for the next exchange.</summary>
    public void OriginTimeoutDone()
    {
        // Under the lock Tick cancels in: a deadline that passed as this exchange ended never cancels the next one.
        lock (_originLock)
        {
            _originDeadline = NoDeadline;
            if (!OriginTimeout.TryReset())
            {
                OriginTimeout.Dispose();
                OriginTimeout = new CancellationTokenSource();
            }
        }
    }

    public void OriginActive(TimeSpan timeout) => Volatile.Write(ref _originDeadline, Environment.TickCount64 + (long)timeout.TotalMilliseconds);

    public void BodyReceived(long total) => Pace(total, _timeouts.MinRequestBodyRate, _timeouts.RequestBodyGrace);

    public void ResponseSent(long total) => Pace(total, _timeouts.MinResponseRate, _timeouts.ResponseGrace);

    public void WaitingForOrigin() => _deadline = NoDeadline;

    public bool IsLastResponse => !Head.KeepAlive || Closing;

    /// <summary>Called by <see cref="InboundHeartbeat"/> about once a second: a connection past its deadline is cut.</summary>
    public void Tick(long now)
    {
        if (now > Volatile.Read(ref _deadline))
        {
            _deadline = NoDeadline;
            _context.Abort(new ConnectionAbortedException("the client was too slow: a fast-path timeout or minimum data rate"));
        }

        if (now > Volatile.Read(ref _originDeadline))
        {
            lock (_originLock)
            {
                if (now > _originDeadline)
                {
                    // The origin was silent for its timeout: the exchange's token is cancelled (a 504 before the response).
                    _originDeadline = NoDeadline;
                    try
                    {
                        OriginTimeout.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The connection has ended already.
                    }
                }
            }
        }
    }

    /// <summary>Reads until a whole head (or something to hand off) is in the buffer; false when the connection ended.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadHeadAsync()
    {
        Head.Reset();
        var keepAlive = _timeouts.KeepAlive;
        _deadline = keepAlive > 0 ? Environment.TickCount64 + keepAlive : NoDeadline;
        var started = false;
        while (true)
        {
            ReadResult result;
            _idle = !started;
            try
            {
                if (_idle && Closing)
                {
                    return false;
                }

                result = await Input.ReadAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                return false;
            }
            finally
            {
                _idle = false;
            }

            _buffer = result.Buffer;
            if (result.IsCanceled || (_buffer.IsEmpty && (result.IsCompleted || Closing)))
            {
                return false;
            }

            if (!started && !_buffer.IsEmpty)
            {
                // Threat: slowloris, a client sending a head a byte at a time to hold the connection forever.
                started = true;
                var headers = _timeouts.RequestHeaders;
                _deadline = headers > 0 ? Environment.TickCount64 + headers : NoDeadline;
            }

            var status = Parse();
            if (status != RequestHeadStatus.Incomplete)
            {
                _deadline = NoDeadline;
                return true;
            }

            if (result.IsCompleted)
            {
                // The client closed inside a head: nothing to answer.
                return false;
            }

            Input.AdvanceTo(_buffer.Start, _buffer.End);
        }
    }

    /// <summary>Parses the buffer; a head split over pipe segments is parsed from a copy (rare: a segment is 4 KiB).</summary>
    private RequestHeadStatus Parse()
    {
        ReadOnlyMemory<byte> bytes;
        if (_buffer.IsSingleSegment)
        {
            bytes = _buffer.First;
        }
        else
        {
            // The parser never needs more than its limit (and refuses a head over it).
            var length = (int)Math.Min(_buffer.Length, RequestHeadParser.MaxHeadBytes + 1);
            _scratch ??= ArrayPool<byte>.Shared.Rent(RequestHeadParser.MaxHeadBytes + 1);
            _buffer.Slice(0, length).CopyTo(_scratch);
            bytes = _scratch.AsMemory(0, length);
        }

        HeadBytes = bytes;
        var status = RequestHeadParser.Parse(bytes.Span, Head);
        Head.Status = status;
        return status;
    }

    /// <summary>A minimum average data rate after a grace period: a deadline that moves with every byte (Kestrel's MinDataRate).</summary>
    private void Pace(long total, double bytesPerSecond, long graceMs)
    {
        var now = Environment.TickCount64;
        if (total == 0)
        {
            _rateStart = now;
        }

        _deadline = bytesPerSecond <= 0 ? NoDeadline : _rateStart + graceMs + (long)(total * 1000 / bytesPerSecond);
    }

    private void OnClientGone()
    {
        Volatile.Write(ref _gone, 1);
        try
        {
            OriginTimeout.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection has ended already.
        }
    }

    private void OnClosingRequested()
    {
        Volatile.Write(ref _closing, 1);

        // Idle between requests: wake the read so the connection closes now (a request under way finishes first).
        if (_idle)
        {
            Input.CancelPendingRead();
        }
    }
}
