using EdgeFence.Edge.Enforcement;

namespace EdgeFence.Edge.Payments;

/// <summary>
/// What a 402 for an empty balance tells the caller: the balance, the price, the currency and where to
/// top up (the site's top-up URL with the customer filled in, also sent as <c>Link: &lt;url&gt;; rel="payment"</c>).
/// </summary>
internal readonly record struct PaymentDue(long BalanceMicros, long PriceMicros, string Currency, string? TopUpUrl)
{
    /// <summary>The placeholder in a site's top-up URL.</summary>
    public const string CustomerPlaceholder = "{customer}";

    /// <summary>The figures of a decision refused for its balance; null for any other decision.</summary>
    public static PaymentDue? From(in Decision decision)
    {
        if (decision.Reason != DenyReason.InsufficientBalance || decision.Token is not { } token)
        {
            return null;
        }

        var template = token.Site.Site.TopUpUrl;
        var url = template?.Replace(CustomerPlaceholder, Uri.EscapeDataString(decision.Customer ?? token.Customer), StringComparison.Ordinal);
        return new PaymentDue(Math.Max(0, decision.BalanceMicros), decision.PriceMicros, token.Plan.Plan.Currency, url);
    }
}
