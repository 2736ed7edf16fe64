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

    private WalletBookState(long version, Dictionary<Key128, WalletAccount> accounts)
    {
        Version = version;
        _accounts = accounts;
    }

    /// <summary>An empty book (before the first one arrives), which channel credits can start from.</summary>
    public static WalletBookState Empty { get; } = new(0, []);

    public long Version { get; }

    public int Count => _accounts.Count;

    public IEnumerable<WalletAccount> Accounts => _accounts.Values;

    /// <summary>
    /// This book with one balance's credited total raised to <paramref name="creditedMicros"/> (a revocation channel
    /// credit), or null when it already has as much: credits only grow, so the larger figure is always right.
    /// </summary>
    public WalletBookState? WithCredit(string siteId, string customer, string currency, long creditedMicros)
    {
        var key = WalletAccount.KeyOf(siteId, customer, currency);
        if (_accounts.TryGetValue(key, out var existing) && existing.CreditedMicros >= creditedMicros)
        {
            return null;
        }

        var accounts = new Dictionary<Key128, WalletAccount>(_accounts)
        {
            [key] = new WalletAccount(siteId, customer, currency, creditedMicros, key),
        };
        return new WalletBookState(Version, accounts);
    }

    /// <summary>The balance with this key; false when nothing was ever credited to it.</summary>
    public bool TryGet(in Key128 key, out WalletAccount account) => _accounts.TryGetValue(key, out account!);
}
