using EdgeFence.ControlPlane.Problems;
using EdgeFence.Core.Ledger;
using EdgeFence.Core.Payments;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Wallets;

/// <summary>
/// Reads the edges' debits of balances from Redis: the hash <see cref="WalletKey.RedisKey"/> of each balance,
/// whose <c>u:&lt;node&gt;</c> fields are the micro-units each edge debited (cumulative, grow-only, so a sum read
/// at any moment never counts a debit twice). The lease fields (<c>l:&lt;node&gt;</c>, <c>g</c>) are the edges'
/// own business and are not debits.
/// </summary>
internal sealed class DebitReader
{
    /// <summary>What balance and ledger answers say when <c>ControlPlane:Redis</c> is not set.</summary>
    public const string NotConfigured = "debits are read from the edges' shared ledger in Redis, and ControlPlane:Redis is not set: debited and balance are unknown, not 0";

    private readonly IConnectionMultiplexer? _redis;

    public DebitReader(IConnectionMultiplexer? redis) => _redis = redis;

    public bool Available => _redis is not null;

    /// <summary>The debits of each of <paramref name="currencies"/>; 503 <c>debits-unavailable</c> when Redis does not answer.</summary>
    public async Task<List<CurrencyDebits>> ReadAsync(string siteId, string customer, IReadOnlyList<string> currencies)
    {
        var redis = _redis ?? throw new InvalidOperationException("no Redis configured");
        var database = redis.GetDatabase();
        var reads = new Task<HashEntry[]>[currencies.Count];
        for (var i = 0; i < currencies.Count; i++)
        {
            reads[i] = database.HashGetAllAsync(WalletKey.RedisKey(siteId, customer, currencies[i]));
        }

        try
        {
            await Task.WhenAll(reads).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new ApiProblemException(503, "debits-unavailable", "Debits are not available",
                $"the edges' debits in Redis (ControlPlane:Redis) could not be read: {ex.Message}");
        }

        var result = new List<CurrencyDebits>(currencies.Count);
        for (var i = 0; i < currencies.Count; i++)
        {
            var byEdge = new Dictionary<string, long>(StringComparer.Ordinal);
            long debited = 0;
            foreach (var entry in reads[i].Result)
            {
                // Net of refunds (a metered call settled below its reservation): u: minus r: (LedgerFields).
                var field = entry.Name.ToString();
                if (LedgerFields.Weight(field) is var weight and not 0 && entry.Value.TryParse(out long micros))
                {
                    var edge = field[LedgerFields.UsedPrefix.Length..];
                    byEdge[edge] = byEdge.GetValueOrDefault(edge) + (weight * micros);
                    debited += weight * micros;
                }
            }

            result.Add(new CurrencyDebits { Currency = currencies[i], DebitedMicros = debited, ByEdge = byEdge });
        }

        return result;
    }
}
