using System.Net;
using System.Net.Http.Headers;
using EdgeFence.Edge.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Analytics;

/// <summary>
/// Every flush interval: takes the aggregator's table, spools it as batch files, and posts every spooled batch,
/// oldest first, to <c>POST {ControlPlaneUrl}/v1/analytics/rollups</c> with the edge key. The control plane
/// answers 200 for a batch it applied and for one it had already applied (idempotent on edge id + batch id), so
/// a retry after a lost answer never double-counts. A failure stops the round; the batches wait on disk and are
/// retried next interval, in order. On stop the last partial interval is spooled and sent once more.
/// Nothing here touches Redis: analytics costs the edge one HTTP call per interval and per 500 active keys.
/// </summary>
internal sealed class RollupShipper : IAsyncDisposable
{
    /// <summary>One post waits at most this long: a control plane that black-holes packets delays a round, not the edge.</summary>
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private readonly RollupAggregator _aggregator;
    private readonly RollupSpool _spool;
    private readonly Uri _url;
    private readonly string? _key;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _round = new(1, 1);
    private Task? _loop;
    private bool _failing;
    private long _discardedLogged;

    public RollupShipper(RollupAggregator aggregator, RollupSpool spool, Uri url, string? key, TimeSpan interval, ILogger logger)
    {
        _aggregator = aggregator;
        _spool = spool;
        _url = url;
        _key = key;
        _interval = interval;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = SendTimeout, UseProxy = false }) { Timeout = SendTimeout };
    }

    /// <summary>Batches sent and accepted since start.</summary>
    public long Shipped { get; private set; }

    public void Start() => _loop = Task.Run(LoopAsync);

    /// <summary>One round now: spool what has been added, then send everything spooled. True when nothing is left unsent.</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        await _round.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _aggregator.Drain(rollup => _spool.Write(rollup));
            if (_spool.Discarded > _discardedLogged)
            {
                Log.RollupSpoolFull(_logger, _spool.Discarded - _discardedLogged);
                _discardedLogged = _spool.Discarded;
            }

            return await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _round.Release();
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_interval, _stop.Token).ConfigureAwait(false);
                await FlushAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A full disk or an unreadable file must not end the loop: the next round tries again.
                Log.RollupSpoolFailed(_logger, ex);
            }
        }
    }

    private async Task<bool> SendPendingAsync(CancellationToken cancellationToken)
    {
        foreach (var file in _spool.Pending())
        {
            HttpStatusCode status;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false)) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (!string.IsNullOrEmpty(_key))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
                }

                using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                status = response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                Failing(ex.Message);
                return false;
            }

            if (status == HttpStatusCode.OK)
            {
                _spool.Delete(file);
                Shipped++;
                continue;
            }

            // Invalid for good (400, 413, 422): set aside so it does not block the rest. Anything else (401 while
            // keys rotate, 429, 5xx) may pass later: keep it and stop the round.
            if (status is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity)
            {
                Log.RollupBatchRejected(_logger, Path.GetFileName(file), (int)status);
                _spool.Reject(file);
                continue;
            }

            Failing($"HTTP {(int)status}");
            return false;
        }

        if (_failing)
        {
            _failing = false;
            Log.RollupShippingResumed(_logger);
        }

        return true;
    }

    /// <summary>Logged once per outage, not once per round.</summary>
    private void Failing(string problem)
    {
        if (!_failing)
        {
            _failing = true;
            Log.RollupShippingFailed(_logger, _url.GetLeftPart(UriPartial.Authority), problem, _spool.Pending().Length);
        }
    }

    /// <summary>Stops the loop, spools the last partial interval and tries once more to send everything.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        try
        {
            using var last = new CancellationTokenSource(SendTimeout);
            await FlushAsync(last.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // What could not be sent stays spooled and goes out after the next start.
            Log.RollupSpoolFailed(_logger, ex);
        }

        _http.Dispose();
        _stop.Dispose();
        _round.Dispose();
    }
}
