using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Revocations;
using EdgeFence.ControlPlane.Edges;
using EdgeFence.ControlPlane.Logging;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Secrets;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Snapshots;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Telemetry;
using EdgeFence.Core.Channel;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Wallets;

/// <summary>
/// Credits deposits exactly once: one writer at a time, one SQLite transaction holding the deposit, the new
/// credited total, the next wallet book version and its signed bytes; commit; then push the book to the edges
/// and wait (bounded) for them, as <see cref="ChangeRunner"/> does for snapshots.
/// </summary>
/// <remarks>
/// Its own writer lock rather than the change runner's: a deposit must not queue behind a snapshot of a million
/// tokens being built. SQLite still serializes the two writers (both transactions begin IMMEDIATE and wait on
/// each other's lock); the lock here only keeps wallet book versions reaching the pusher in commit order, and
/// makes two requests with one idempotency key meet in order, so the second finds the first's row.
/// Waiting for the edges is what makes "the deposit returned" mean "every reachable edge can spend it".
/// </remarks>
internal sealed class DepositRunner
{
    /// <summary>
    /// Largest credited total of one balance: 1000 of the largest deposits. The edges add leases and debits to
    /// it in 64-bit arithmetic; staying 9x below <see cref="long.MaxValue"/> keeps every such sum from overflowing.
    /// </summary>
    public const long MaxCreditedMicros = 1_000 * EdgeFence.Core.Model.Currency.MaxAmountMicros;

    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Database _database;
    private readonly WalletBookIssuer _issuer;
    private readonly EdgePusher _pusher;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pushWait;
    private readonly ILogger _logger;
    private readonly ControlPlaneMetrics? _metrics;
    private readonly ChannelOutbox? _outbox;
    private readonly ChannelPublisher? _channel;

    public DepositRunner(Database database, WalletBookIssuer issuer, EdgePusher pusher, TimeProvider time, TimeSpan pushWait, ILogger logger, ControlPlaneMetrics? metrics = null, ChannelOutbox? outbox = null, ChannelPublisher? channel = null)
    {
        _outbox = outbox;
        _channel = channel;
        _database = database;
        _issuer = issuer;
        _pusher = pusher;
        _time = time;
        _pushWait = pushWait;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>
    /// Credits <paramref name="deposit"/>, or answers the deposit its idempotency key already made. A key already
    /// used with a different amount or currency is 409 <c>idempotency-key-reused</c>; an unknown site is 404. On
    /// any refusal nothing is written.
    /// </summary>
    public async Task<DepositOutcome> DepositAsync(Deposit deposit, CancellationToken cancellationToken)
    {
        DepositOutcome outcome;
        SignedSnapshot? issued = null;
        long outboxId;
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = _database.Open();

            // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken now, so the lookup below and the
            // insert cannot be split by another writer (another control plane process on the same file included).
            using var transaction = connection.BeginTransaction();
            var change = new Change(connection, transaction, _time.GetUtcNow());
            try
            {
                outcome = Credit(change, deposit, out issued);
            }
            catch (ApiProblemException ex)
            {
                // Disposing the transaction uncommitted rolls back whatever was written.
                Log.DepositRefused(_logger, deposit.Customer, deposit.SiteId, ex.Message);
                throw;
            }

            transaction.Commit();
            if (change.OutboxId > 0)
            {
                _outbox!.Committed.Set();
            }

            outboxId = change.OutboxId;

            // Published under the writer lock, so versions reach the pusher in the order they were committed.
            if (issued is not null)
            {
                _pusher.Publish(issued);
            }
        }
        finally
        {
            _writer.Release();
        }

        if (issued is not null)
        {
            Log.DepositCredited(_logger, outcome.Deposit.Id, deposit.AmountMicros, deposit.Currency, deposit.Customer, deposit.SiteId, issued.Version);
            _metrics?.Deposited(deposit.Currency);
        }
        else
        {
            Log.DepositReplayed(_logger, outcome.Deposit.Id);
        }

        // A replay waits too: its first request may have answered before a slow edge took the book (or never
        // answered at all), and the retry is the caller asking for the same promise.
        var edges = _pusher.WaitForEdgesAsync(outcome.Deposit.WalletVersion, _pushWait, cancellationToken);
        if (outboxId > 0 && _channel is not null)
        {
            await _channel.WaitForPublishedAsync(outboxId, _pushWait, cancellationToken).ConfigureAwait(false);
        }

        await edges.ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// At start: the stored latest wallet book, or version 1 of an empty book on a new database. A stored book
    /// whose signature does not verify with the current key (the key was replaced) is issued again, under a new
    /// version, so edges that trust the new key take it.
    /// </summary>
    public SignedSnapshot Initialize()
    {
        var latest = WalletBookIssuer.ReadLatest(_database);
        if (latest is not null && _issuer.Verifies(latest))
        {
            _pusher.Publish(latest);
            return latest;
        }

        using (var connection = _database.Open())
        {
            using var transaction = connection.BeginTransaction();
            latest = _issuer.Issue(new Change(connection, transaction, _time.GetUtcNow()));
            transaction.Commit();
        }

        if (latest.Version > 1)
        {
            Log.WalletBookResigned(_logger, latest.Version);
        }

        _pusher.Publish(latest);
        return latest;
    }

    private DepositOutcome Credit(Change change, Deposit deposit, out SignedSnapshot? issued)
    {
        issued = null;

        // :: Step 1: the key already used for this customer of this site: the same request again is the same
        // answer, anything else is a caller reusing a key by mistake, which must not become a second credit.
        if (DepositRows.FindByKey(change, deposit.SiteId, deposit.Customer, deposit.IdempotencyKey) is { } earlier)
        {
            var differences = new List<FieldError>();
            if (earlier.AmountMicros != deposit.AmountMicros)
            {
                differences.Add(new FieldError("amountMicros", $"was {earlier.AmountMicros} with this key"));
            }

            if (earlier.Currency != deposit.Currency)
            {
                differences.Add(new FieldError("currency", $"was {earlier.Currency} with this key"));
            }

            if (differences.Count > 0)
            {
                throw new ApiProblemException(409, "idempotency-key-reused", "Conflict",
                    $"idempotency key '{deposit.IdempotencyKey}' already credited deposit {earlier.Id} ({earlier.AmountMicros} micro-{earlier.Currency}) with a different body",
                    differences);
            }

            return new DepositOutcome(earlier, Replayed: true);
        }

        // :: Step 2: the site must exist (its balances are what the edges serving it debit).
        if (!SiteRows.Exists(change.Connection, change.Transaction, deposit.SiteId))
        {
            throw new ApiProblemException(404, "not-found", "Not found", $"no site '{deposit.SiteId}'", [new FieldError("siteId", $"no site '{deposit.SiteId}'")]);
        }

        // :: Step 3: the credited total stays in range.
        var credited = WalletRows.Credited(change, deposit.SiteId, deposit.Customer, deposit.Currency);
        if (credited > MaxCreditedMicros - deposit.AmountMicros)
        {
            throw ApiProblemException.Invalid("amountMicros", $"would take the credited total of this balance ({credited}) past {MaxCreditedMicros}");
        }

        // :: Step 4: the deposit row, the new total and the next wallet book, all in this transaction.
        var total = WalletRows.Credit(change, deposit.SiteId, deposit.Customer, deposit.Currency, deposit.AmountMicros);
        var response = new DepositResponse
        {
            Id = SecretGenerator.Id("dep"),
            SiteId = deposit.SiteId,
            Customer = deposit.Customer,
            Currency = deposit.Currency,
            AmountMicros = deposit.AmountMicros,
            IdempotencyKey = deposit.IdempotencyKey,

            // Milliseconds, as stored: a replay rebuilt from the row must say exactly what the first answer said.
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(change.Now.ToUnixTimeMilliseconds()),
            CreditedMicros = total,
            WalletVersion = WalletBookIssuer.NextVersion(change),
        };
        DepositRows.Insert(change, response);
        issued = _issuer.Issue(change);

        // The new total on the revocation channel too, in this transaction (a total, so a replay credits nothing twice).
        _outbox?.Append(change, ChannelEntry.Credit(deposit.SiteId, deposit.Customer, deposit.Currency, total, response.WalletVersion, change.Now.ToUnixTimeMilliseconds()));
        return new DepositOutcome(response, Replayed: false);
    }
}
