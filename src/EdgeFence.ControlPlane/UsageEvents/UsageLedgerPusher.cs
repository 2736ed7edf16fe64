using System.Globalization;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.UsageEvents;

/// <summary>
/// Writes usage-event totals into the edges' Redis ledger: the hash of the entitlement's period
/// (<c>ef:{&lt;site&gt;:&lt;token id&gt;}:q:&lt;period start ms&gt;</c>, the edges' <c>LedgerKey</c>), field
/// <see cref="LedgerField"/> (and its lease, <see cref="LeaseField"/>). The edges sum every <c>u:</c> field as the period's global use, so reported usage
/// counts against the quota like admitted requests do, and <c>GET /v1/tokens/{id}/usage</c> shows it. The field only
/// ever rises to the stored total (a grow-only counter like an edge's own), so a retry, a replay after a crash, or two
/// control planes pushing the same row never count twice. What Redis did not take is retried every second.
/// </summary>
internal sealed class UsageLedgerPusher : IAsyncDisposable
{
    /// <summary>
    /// The ledger field of usage events. Edge node ids are letters, digits, '-', '_' and '.', so no edge's
    /// <c>u:&lt;node&gt;</c> can be this one.
    /// </summary>
    public const string LedgerField = "u:cp:usage-events";

    /// <summary>Same as the edges' ledger retention: a period's ledger outlives it by this long, for billing.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(35);

    /// <summary>Totals pushed per retry round: bounds one round's Redis and SQLite work after a long outage.</summary>
    private const int BatchSize = 500;

    /// <summary>The lease field that goes with <see cref="LedgerField"/>: the control plane's own <c>l:&lt;node&gt;</c>.</summary>
    public const string LeaseField = "l:cp:usage-events";

    /// <summary>
    /// ARGV: used field, lease field, total, expireAtMs. Raises both fields to the total, never lowers them, and adds
    /// what the lease field rose by to <c>g</c>, the units leased to all nodes. The edges grant from
    /// quota − max(g, used), which assumes every used unit was leased first; reported usage was not, so the
    /// control plane leases exactly what it reports, like a node that uses its whole lease at once. Without that,
    /// reported units would count once in used but leave g unchanged, and the edges could grant them again.
    /// Written by hand: the ledger's atomic steps are EdgeFence's own logic.
    /// </summary>
    private const string Raise = """
        local v = tonumber(ARGV[3])
        if v > tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') then redis.call('HSET', KEYS[1], ARGV[1], v) end
        local leased = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
        if v > leased then
          redis.call('HINCRBY', KEYS[1], 'g', v - leased)
          redis.call('HSET', KEYS[1], ARGV[2], v)
        end
        redis.call('PEXPIREAT', KEYS[1], ARGV[4])
        return 1
        """;

    private readonly Database _database;
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public UsageLedgerPusher(Database database, IConnectionMultiplexer redis, ILogger logger)
    {
        _database = database;
        _redis = redis;
        _logger = logger;
    }

    public static string LedgerKeyFor(string siteId, string tokenId, long periodStartMs)
        => string.Create(CultureInfo.InvariantCulture, $"ef:{{{siteId}:{tokenId}}}:q:{periodStartMs}");

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>Pushes one total; false (and the loop retries it) when Redis does not answer.</summary>
    public async Task<bool> PushAsync(UsageTotal total, CancellationToken cancellationToken)
    {
        try
        {
            await _redis.GetDatabase().ScriptEvaluateAsync(Raise,
                [LedgerKeyFor(total.SiteId, total.TokenId, total.PeriodStartMs)],
                [LedgerField, LeaseField, total.Units, total.ExpireAtMs]).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }

        using var connection = _database.Open();
        UsageEventRows.MarkPushed(connection, total);
        return true;
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await PushPendingAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (SqliteException ex)
                {
                    // A busy or failing database this round; the rows stay unpushed and the next round tries again.
                    UsageEventLog.PushFailed(_logger, -1, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task PushPendingAsync(CancellationToken cancellationToken)
    {
        List<UsageTotal> pending;
        using (var connection = _database.Open())
        {
            pending = UsageEventRows.Unpushed(connection, BatchSize);
        }

        foreach (var total in pending)
        {
            if (!await PushAsync(total, cancellationToken).ConfigureAwait(false))
            {
                UsageEventLog.PushFailed(_logger, pending.Count, "Redis (ControlPlane:Redis) did not answer");
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
