using System.IO.Pipelines;
using System.Net.Sockets;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// One keep-alive TCP connection to an origin: the socket, a pipe reader over it with one read buffer, and
/// when it went idle. Used by one request at a time; the pool hands it out and takes it back.
/// </summary>
internal sealed class OriginConnection : IAsyncDisposable
{
    private readonly OriginPool _pool;
    private int _disposed;

    public OriginConnection(OriginPool pool, Socket socket)
    {
        _pool = pool;
        Socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: true);
        Reader = PipeReader.Create(Stream, new StreamPipeReaderOptions(bufferSize: UpstreamLimits.ReadBufferBytes, minimumReadSize: 1024, leaveOpen: true));
    }

    public Socket Socket { get; }

    public NetworkStream Stream { get; }

    public PipeReader Reader { get; }

    /// <summary>Stopwatch timestamp of when the connection was returned to the pool.</summary>
    public long IdleSince { get; set; }

    /// <summary>Whether the connection carried a request before (so a failure may be the reuse race).</summary>
    public bool Reused { get; set; }

    /// <summary>Whether any byte of a response arrived for the current request (then it is never resent).</summary>
    public bool ResponseStarted { get; set; }

    /// <summary>Called when a pooled connection is handed to a new request.</summary>
    public void ResetForRequest() => ResponseStarted = false;

    /// <summary>Closes the socket at once (both directions), ending any read or write in progress on it.</summary>
    public void Abort()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: that is the goal.
        }
    }

    /// <summary>
    /// For an idle connection: whether the origin closed it (or sent bytes nobody asked for) while it sat in
    /// the pool. One non-blocking poll; used before sending a request that could not be retried.
    /// </summary>
    public bool LooksClosed()
    {
        try
        {
            return Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await Reader.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            Stream.Dispose();
            _pool.Closed();
        }
    }
}
