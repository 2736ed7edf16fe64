using System.Threading.Channels;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Telemetry;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.DecisionLog;

/// <summary>
/// Takes every decision off the request path: requests put a record in a bounded queue without ever
/// waiting; one background task writes batches to the sink. When the queue is full the record is
/// dropped and counted (edgefence_decision_log_dropped_total), never the request slowed. On shutdown
/// the queue is drained before the process exits.
/// </summary>
internal sealed class DecisionLogWriter : IAsyncDisposable
{
    /// <summary>Most records written per batch: bounds the batch list and the time between flushes.</summary>
    private const int MaxBatch = 1024;

    /// <summary>How long the pump lets records gather between batches (see <see cref="PumpAsync"/>).</summary>
    private static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(5);

    private readonly Channel<DecisionRecord> _queue;
    private readonly IDecisionSink _sink;
    private readonly EdgeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Task _pump;
    private long _dropped;
    private int _disposed;
    private long _lastDropWarningTicks;

    public DecisionLogWriter(IDecisionSink sink, int capacity, EdgeMetrics metrics, ILogger logger)
    {
        // Bounded: a slow disk must cost dropped log lines, not memory without limit.
        _queue = Channel.CreateBounded<DecisionRecord>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _sink = sink;
        _metrics = metrics;
        _logger = logger;
        _pump = Task.Run(PumpAsync);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a record; never blocks. Returns false (and counts it) when the queue is full.</summary>
    public bool TryWrite(in DecisionRecord record)
    {
        if (_queue.Writer.TryWrite(record))
        {
            return true;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        _metrics.DecisionLogDropped();

        // One warning per 10 s at most: a full queue must not also flood the console.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastDropWarningTicks);
        if (now - last > 10_000 && Interlocked.CompareExchange(ref _lastDropWarningTicks, now, last) == last)
        {
            Log.DecisionLogFull(_logger, dropped);
        }

        return false;
    }

    private async Task PumpAsync()
    {
        var batch = new List<DecisionRecord>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            try
            {
                await _sink.WriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.DecisionLogWriteFailed(_logger, batch.Count, ex);
            }

            batch.Clear();

            // Let records gather before the next batch: a pump woken by every record costs a thread
            // wake-up and a write system call per request, which under load measured more than the
            // rest of the decision log (loadtests/run.sh, perf). A record waits at most this long more;
            // a full batch is written at once.
            if (reader.Count < MaxBatch && !reader.Completion.IsCompleted)
            {
                await Task.Delay(GatherDelay).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops accepting, writes everything queued, closes the sink.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
        await _sink.DisposeAsync().ConfigureAwait(false);
    }
}
