namespace EdgeFence.ControlPlane.Plans;

/// <summary>
/// The body of <c>POST /v1/sites/{id}/plans</c> and <c>PATCH /v1/plans/{id}</c>. <c>quota</c> or
/// <c>rateLimit</c> null means no limit of that kind; on PATCH a field left out keeps its value.
/// </summary>
public sealed class PlanRequest
{
    public string? Name { get; set; }
    public QuotaBody? Quota { get; set; }
    public RateLimitBody? RateLimit { get; set; }

    /// <summary>Price per billing period in currency units (<c>9.99</c>), at most 6 decimals.</summary>
    public decimal? Price { get; set; }

    /// <summary>ISO 4217 code (or USDC); default <c>USD</c>. A prepaid plan's balances are in it.</summary>
    public string? Currency { get; set; }

    /// <summary><c>subscription</c> (default: calls count against the quota) or <c>prepaid</c> (each call's price is debited from the customer's balance).</summary>
    public string? Billing { get; set; }

    /// <summary>This plan's own price per call for some of its site's resources, by resource id, in currency units.</summary>
    public Dictionary<string, decimal?>? ResourcePrices { get; set; }

    /// <summary>Price per unit past a soft quota, in currency units, billed through a Stripe metered Price; null: none.</summary>
    public decimal? OveragePrice { get; set; }
}
