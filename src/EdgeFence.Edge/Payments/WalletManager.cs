using System.Security.Cryptography;
using EdgeFence.Core.Channel;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Core.Validation;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Store;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Payments;

/// <summary>
/// Owns the wallet book the edge debits against, the way <see cref="SnapshotManager"/> owns the snapshot:
/// verify the signature, decode, validate whole, persist, then publish with one volatile write. It travels
/// apart from the snapshot so a deposit reaches the edge without every token being re-sent.
/// </summary>
internal sealed class WalletManager
{
    private readonly ECDsa? _publicKey;
    private readonly string _persistPath;
    private readonly ILogger _logger;
    private readonly Lock _applyLock = new();
    private volatile WalletBookState? _current;

    // Channel credits newer than the book served: re-applied over an older book that arrives later, dropped once a
    // book at or past their version is served. Written under the apply lock.
    private readonly Dictionary<Key128, ChannelEntry> _credits = [];

    public WalletManager(ECDsa? publicKey, string dataDirectory, ILogger logger)
    {
        _publicKey = publicKey;
        _persistPath = Path.Combine(dataDirectory, "wallets.bin");
        _logger = logger;
    }

    /// <summary>The balances requests debit against; null until a wallet book is loaded (then every balance is 0).</summary>
    public WalletBookState? Current => _current;

    /// <summary>The accounts of the current book, for the reconciler's start-up pass.</summary>
    public IEnumerable<Sync.LedgerAccount> Accounts() => _current?.Accounts ?? [];

    /// <summary>Loads the persisted wallet book; an unusable one is logged and skipped (the control plane sends it again).</summary>
    public void LoadAtStart()
    {
        if (!File.Exists(_persistPath))
        {
            return;
        }

        var result = PersistedSnapshot.TryRead(File.ReadAllBytes(_persistPath), out var bytes, out var signature)
            ? TryApply(bytes, signature, persist: false)
            : SnapshotApplyResult.Rejected("not an EdgeFence envelope");
        if (result.Status == SnapshotApplyStatus.Applied)
        {
            Log.WalletBookLoaded(_logger, result.Version, _current?.Count ?? 0, _persistPath);
        }
        else
        {
            Log.PersistedWalletBookUnusable(_logger, _persistPath, result.Detail);
        }
    }

    public SnapshotApplyResult TryApply(byte[] bytes, byte[]? signature, bool persist = true)
    {
        // 1-3. Signature, decode, validation, as for a snapshot (SignedDocument).
        if (!SignedDocument.TryRead(_publicKey, bytes, signature, "wallet book", static b => SnapshotSerializer.DeserializeWallets(b), SnapshotValidator.Validate, out WalletBook? book, out var rejection))
        {
            return rejection;
        }

        lock (_applyLock)
        {
            // 4. Strictly newer only: a late delivery must not take credits back.
            var current = _current;
            if (current is not null && book.Version <= current.Version)
            {
                return new SnapshotApplyResult(SnapshotApplyStatus.Stale, $"wallet book version {book.Version} is not newer than the serving version {current.Version}", current.Version, []);
            }

            // 5. Compile (with the channel credits this book does not carry yet), 6. persist before publishing, 7. publish.
            var state = WithCredits(new WalletBookState(book));
            if (persist)
            {
                try
                {
                    PersistedSnapshot.WriteFile(_persistPath, bytes, signature);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return new SnapshotApplyResult(SnapshotApplyStatus.NotPersisted, "wallet book could not be persisted: " + ex.Message, book.Version, []);
                }
            }

            _current = state;
            if (persist)
            {
                Applied?.Invoke();
            }

            return new SnapshotApplyResult(SnapshotApplyStatus.Applied, "applied", book.Version, []);
        }
    }

    /// <summary>Called after a pushed or pulled book is served (not one loaded from disk): the control plane was heard.</summary>
    public Action? Applied { get; set; }

    /// <summary>
    /// Applies a revocation channel credit (signature already verified): raises the balance's credited total to the
    /// entry's unless the served book is at or past its version, or already has as much. False when nothing changed.
    /// </summary>
    public bool ApplyCredit(ChannelEntry credit)
    {
        lock (_applyLock)
        {
            var current = _current ?? WalletBookState.Empty;
            if (credit.Version <= current.Version)
            {
                return false;
            }

            var key = WalletAccount.KeyOf(credit.SiteId, credit.Customer, credit.Currency);
            if (!_credits.TryGetValue(key, out var known) || known.CreditedMicros < credit.CreditedMicros)
            {
                _credits[key] = credit;
            }

            if (current.WithCredit(credit.SiteId, credit.Customer, credit.Currency, credit.CreditedMicros) is not { } raised)
            {
                return false;
            }

            _current = raised;
            return true;
        }
    }

    /// <summary>The channel credits still waiting for a book to carry them (for the channel's cursor file).</summary>
    public IReadOnlyList<ChannelEntry> PendingCredits()
    {
        lock (_applyLock)
        {
            return [.. _credits.Values];
        }
    }

    private WalletBookState WithCredits(WalletBookState state)
    {
        List<Key128>? carried = null;
        foreach (var (key, credit) in _credits)
        {
            if (credit.Version <= state.Version)
            {
                (carried ??= []).Add(key);
            }
            else
            {
                state = state.WithCredit(credit.SiteId, credit.Customer, credit.Currency, credit.CreditedMicros) ?? state;
            }
        }

        foreach (var key in carried ?? [])
        {
            _credits.Remove(key);
        }

        return state;
    }
}
