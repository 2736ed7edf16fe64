namespace EdgeFence.Core.Model;

/// <summary>How a caller may pay for a call to a resource.</summary>
public enum ResourcePayment : byte
{
    /// <summary>An API token; the token's plan decides (quota, rate limit, prepaid balance).</summary>
    Token = 0,

    /// <summary>x402 per call: no token, a payment settled through the site's facilitator before forwarding.</summary>
    X402 = 1,

    /// <summary>Either: a token holder is decided as with <see cref="Token"/>, a caller without one may pay per call.</summary>
    TokenOrX402 = 2,
}
