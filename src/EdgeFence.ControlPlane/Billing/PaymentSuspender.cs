using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Tokens;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// Suspends the tokens of subscriptions whose payment failed longer ago than the grace period and was not paid
/// since (<c>payment_state</c> still <c>failed</c>): one change, so one snapshot carries every suspension of a check to
/// the edges, which answer 402 <c>payment-overdue</c>. The next paid invoice lifts it (StripeWebhookEndpoint).
/// </summary>
internal sealed class PaymentSuspender : IAsyncDisposable
{
    private readonly Database _database;
    private readonly ChangeRunner _changes;
    private readonly TimeSpan _grace;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    public PaymentSuspender(Database database, ChangeRunner changes, TimeSpan grace, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _database = database;
        _changes = changes;
        _grace = grace;
        _interval = interval;
        _time = time;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>One check: suspends every token due; returns how many.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        // :: Step 1: which are due, read outside the writer (most checks find none and write nothing).
        var dueBefore = _time.GetUtcNow().ToUnixTimeSeconds() - (long)_grace.TotalSeconds;
        const string Due = """
            SELECT s.token_id FROM stripe_subscriptions s JOIN tokens t ON t.id = s.token_id
            WHERE s.payment_state = 'failed' AND s.payment_failed_at_unix <= $due
              AND t.suspended_at_unix IS NULL AND t.revoked_at_unix IS NULL
            """;
        List<string> due;
        using (var connection = _database.Open())
        {
            due = connection.Command(null, Due).With("$due", dueBefore).ReadAll(r => r.GetString(0));
        }

        if (due.Count == 0)
        {
            return 0;
        }

        // :: Step 2: suspended in one change, read again inside it (a paid invoice may have come in between).
        return await _changes.RunAsync("token", $"{due.Count} tokens suspended for payments failed before {DateTimeOffset.FromUnixTimeSeconds(dueBefore):O}", change =>
        {
            var suspended = 0;
            foreach (var tokenId in change.Command(Due).With("$due", dueBefore).ReadAll(r => r.GetString(0)))
            {
                suspended += TokenRows.Suspend(change, tokenId) ? 1 : 0;
            }

            change.Unchanged = suspended == 0;
            return suspended;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SqliteException or ApiProblemException)
                {
                    // The database was busy or the snapshot refused; nothing was written, the next check tries again.
                    BillingLog.SuspensionFailed(_logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
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
}
