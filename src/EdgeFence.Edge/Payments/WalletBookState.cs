using EdgeFence.Core.Model;
using EdgeFence.Edge.Store;

namespace EdgeFence.Edge.Payments;

/// <summary>A validated wallet book compiled for the request path: balances by counter key. Immutable.</summary>
internal sealed class WalletBookState
{
    private readonly Dictionary<Key128, WalletAccount> _accounts;

    public WalletBookState(WalletBook book)
    {
        Version = book.Version;
        _accounts = new Dictionary<Key128, WalletAccount>(book.Wallets.Count);
        foreach (var wallet in book.Wallets)
        {
            var key = WalletAccount.KeyOf(wallet.SiteId, wallet.Customer, wallet.Currency);
            _accounts[key] = new WalletAccount(wallet.SiteId, wallet.Customer, wallet.Currency, wallet.CreditedMicros, key);
        }
    }

    public long Version { get; }

    public int Count => _accounts.Count;

    public IEnumerable<WalletAccount> Accounts => _accounts.Values;

    /// <summary>The balance with this key; false when nothing was ever credited to it.</summary>
    public bool TryGet(in Key128 key, out WalletAccount account) => _accounts.TryGetValue(key, out account!);
}
