using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.Core.Payments;

/// <summary>
/// The identity of one prepaid balance (site, customer, currency) in the edges' counters and in the
/// Redis ledger, shared by the edge (which debits) and the control plane (which reads the debits).
/// <para>
/// Id: the first 16 bytes of SHA-256(<c>"edgefence-wallet\n" + siteId + "\n" + customer + "\n" + currency</c>),
/// UTF-8. Customers are any printable ASCII (braces and spaces included), so the Redis key carries the id's
/// hex, not the customer: <c>ef:{&lt;site id&gt;:w:&lt;32 hex&gt;}:b</c>, one hash per balance with
/// <c>u:&lt;node&gt;</c> the micro-units each edge debited (cumulative, grow-only), <c>l:&lt;node&gt;</c> and
/// <c>g</c> the leases, exactly as a hard quota's ledger. Both are stored: they must never change.
/// </para>
/// </summary>
public static class WalletKey
{
    /// <summary>Bytes of the id.</summary>
    public const int Length = 16;

    /// <summary>Writes the id of the balance of <paramref name="customer"/> at <paramref name="siteId"/> in <paramref name="currency"/>.</summary>
    public static void Compute(string siteId, string customer, string currency, Span<byte> id)
    {
        var text = "edgefence-wallet\n" + siteId + "\n" + customer + "\n" + currency;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        hash[..Length].CopyTo(id);
    }

    /// <summary>The Redis hash that holds the edges' debits and leases of this balance.</summary>
    public static string RedisKey(string siteId, string customer, string currency)
    {
        Span<byte> id = stackalloc byte[Length];
        Compute(siteId, customer, currency, id);
        return "ef:{" + siteId + ":w:" + Convert.ToHexStringLower(id) + "}:b";
    }
}
