using System.Security.Cryptography;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Core.Validation;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Snapshots;
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

            // 5. Compile, 6. persist before publishing, 7. publish.
            var state = new WalletBookState(book);
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
            return new SnapshotApplyResult(SnapshotApplyStatus.Applied, "applied", book.Version, []);
        }
    }
}
