using System.Globalization;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Ledger;
using EdgeFence.Core.Limits;
using EdgeFence.Core.Model;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// Exports soft-quota overage of Stripe subscriptions to Stripe Billing meter events, every
/// <see cref="BillingOptions.MeterExportSeconds"/>. Each round reads each subscribed token's ledger (the edges' Redis
/// hash, the sum of its <c>u:</c> fields) for the current and the previous billing period, and writes what overage no
/// export covers yet as a new pending export with the next sequence number, in one SQLite transaction; then it sends
/// every pending export. An export's identifier is site, token, period and sequence, and its value is fixed when it is
/// written, so a resend (Stripe down, our crash between Stripe's answer and our update) is the same meter event, which
/// Stripe counts once, and no unit is covered by two exports.
/// </summary>
internal sealed class MeterExporter : IAsyncDisposable
{
    /// <summary>Exports sent per round: bounds one round's Stripe calls after a long outage (the rest go next round).</summary>
    private const int SendBatch = 200;

    private readonly Database _database;
    private readonly IConnectionMultiplexer _redis;
    private readonly StripeSecretBox _box;
    private readonly StripeGateway _stripe;
    private readonly StripeMeters _meters;
    private readonly BillingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    public MeterExporter(Database database, IConnectionMultiplexer redis, StripeSecretBox box, StripeGateway stripe, StripeMeters meters, BillingOptions options, TimeProvider time, ILogger logger)
    {
        _meters = meters;
        _database = database;
        _redis = redis;
        _box = box;
        _stripe = stripe;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>One round: new exports for uncovered overage, then every pending export sent. Returns how many Stripe took.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await CoverOverageAsync().ConfigureAwait(false);
        return await SendPendingAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.MeterExportSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException or SqliteException or System.Security.Cryptography.CryptographicException)
                {
                    // The ledger or the database did not answer this round; nothing was half written (one transaction).
                    BillingLog.MeterExportFailed(_logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    // :: Step 1: what overage no export covers yet becomes a pending export, for each subscribed soft-quota token.
    private async Task CoverOverageAsync()
    {
        var now = _time.GetUtcNow();
        List<Subscribed> subscribed;
        using (var connection = _database.Open())
        {
            // The token's current plan revision decides the quota for both periods: after a mid-period plan change,
            // the previous period is measured against the new quota (documented in the README).
            subscribed = connection.Command(null, """
                SELECT s.site_id, s.token_id, s.stripe_customer_id, v.quota_units, v.quota_period
                FROM stripe_subscriptions s
                JOIN tokens t ON t.id = s.token_id
                JOIN plan_revisions v ON v.plan_id = t.plan_id AND v.revision = t.plan_revision
                WHERE v.quota_mode = $soft AND v.quota_units IS NOT NULL
                """).With("$soft", (long)QuotaMode.Soft)
                .ReadAll(r => new Subscribed(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), (QuotaPeriod)r.GetInt64(4)));
        }

        var db = _redis.GetDatabase();
        foreach (var token in subscribed)
        {
            BillingPeriod.GetBounds(token.Period, now.ToUnixTimeMilliseconds(), out var currentStart, out var currentEnd);
            BillingPeriod.GetBounds(token.Period, currentStart - 1, out var previousStart, out _);
            foreach (var (start, end) in new[] { (previousStart, currentStart), (currentStart, currentEnd) })
            {
                var key = string.Create(CultureInfo.InvariantCulture, $"ef:{{{token.SiteId}:{token.TokenId}}}:q:{start}");
                long used = 0;
                foreach (var entry in await db.HashGetAllAsync(key).ConfigureAwait(false))
                {
                    if (LedgerFields.Weight(entry.Name.ToString()) is var weight and not 0 && entry.Value.TryParse(out long units))
                    {
                        used += weight * units;
                    }
                }

                var overage = Math.Max(0, used - token.QuotaUnits);
                if (overage > 0)
                {
                    Cover(token, start, end, overage, now);
                }
            }
        }
    }

    private void Cover(Subscribed token, long periodStartMs, long periodEndMs, long overage, DateTimeOffset now)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        var (covered, lastSeq) = MeterExportRows.Covered(connection, transaction, token.SiteId, token.TokenId, periodStartMs);
        if (overage <= covered)
        {
            return;
        }

        var seq = lastSeq + 1;
        MeterExportRows.Insert(connection, transaction, new MeterExport(token.SiteId, token.TokenId, token.StripeCustomerId, periodStartMs, periodEndMs, seq, overage - covered,
            MeterExportRows.IdentifierFor(token.SiteId, token.TokenId, periodStartMs, seq)), now.ToUnixTimeSeconds());
        transaction.Commit();
    }

    // :: Step 2: every pending export to Stripe, with its fixed identifier and value.
    private async Task<int> SendPendingAsync(CancellationToken cancellationToken)
    {
        List<MeterExport> pending;
        using (var connection = _database.Open())
        {
            pending = MeterExportRows.Pending(connection, SendBatch);
        }

        var accounts = new Dictionary<string, StripeAccount?>(StringComparer.Ordinal);
        var sent = 0;
        foreach (var export in pending)
        {
            if (!accounts.TryGetValue(export.SiteId, out var account))
            {
                using (var connection = _database.Open())
                {
                    accounts[export.SiteId] = account = StripeAccountRows.Open(connection, null, _box, export.SiteId);
                }

                if (account is not null && !await EnsureMeterAsync(account, cancellationToken).ConfigureAwait(false))
                {
                    accounts[export.SiteId] = account = null;
                }
            }

            if (account is null)
            {
                continue; // The site disconnected Stripe, or its meter could not be made: the export waits.
            }

            // Stripe takes a timestamp up to 35 days old: the previous period's overage is dated at its period's end,
            // so it lands in that period's invoice while Stripe still accepts it; the current period's is dated now.
            var now = _time.GetUtcNow();
            var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(now.ToUnixTimeMilliseconds(), export.PeriodEndMs - 1000));
            try
            {
                await _stripe.SendMeterEventAsync(account, _options.OverageMeterEvent, export.Identifier, export.StripeCustomerId, export.Units, timestamp, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiProblemException ex)
            {
                // Unreachable (503) or refused (502, e.g. no meter with this event name): kept pending, sent again next round.
                using var connection = _database.Open();
                MeterExportRows.MarkFailed(connection, export, ex.Message);
                BillingLog.MeterExportFailed(_logger, $"{export.Identifier}: {ex.Message}");
                if (ex.Status == 503)
                {
                    break;
                }

                continue;
            }

            using (var connection = _database.Open())
            {
                MeterExportRows.MarkSent(connection, export, now.ToUnixTimeSeconds());
            }

            BillingLog.MeterExported(_logger, export.Identifier, export.Units, export.TokenId);
            sent++;
        }

        return sent;
    }

    /// <summary>
    /// Before a site's first export: the overage meter exists in its Stripe account (recorded, found by event name, or
    /// created), else Stripe refuses every meter event. False when Stripe could not make it this round.
    /// </summary>
    private async Task<bool> EnsureMeterAsync(StripeAccount account, CancellationToken cancellationToken)
    {
        if (_meters.Recorded(account.SiteId, ignoreRecorded: false) is not null)
        {
            return true;
        }

        try
        {
            var meterId = await _meters.EnsureAsync(account, ignoreRecorded: false, cancellationToken).ConfigureAwait(false);
            using var connection = _database.Open();
            _meters.Record(connection, null, account.SiteId, meterId, _time.GetUtcNow().ToUnixTimeSeconds());
            return true;
        }
        catch (ApiProblemException ex)
        {
            BillingLog.MeterExportFailed(_logger, $"overage meter of site {account.SiteId}: {ex.Message}");
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private sealed record Subscribed(string SiteId, string TokenId, string StripeCustomerId, long QuotaUnits, QuotaPeriod Period);
}
