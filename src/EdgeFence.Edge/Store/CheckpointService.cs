using EdgeFence.Edge.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Store;

/// <summary>Checkpoints the counters every <c>EdgeFence:CheckpointIntervalSeconds</c>; the final one is taken at shutdown.</summary>
internal sealed class CheckpointService : BackgroundService
{
    private readonly CounterStore _counters;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;

    public CheckpointService(CounterStore counters, TimeSpan interval, ILogger<CheckpointService> logger)
    {
        _counters = counters;
        _interval = interval;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (await _counters.CheckpointAsync(stoppingToken).ConfigureAwait(false))
                    {
                        Log.CheckpointTaken(_logger);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.CheckpointFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: EdgeServer takes the final checkpoint after the listeners stop.
        }
    }
}
