namespace EdgeFence.Core.Model;

/// <summary>How a plan's customers pay for calls.</summary>
public enum PlanBilling : byte
{
    /// <summary>A subscription: the period price is billed elsewhere (Stripe); calls only count against the quota.</summary>
    Subscription = 0,

    /// <summary>Prepaid: each allowed call debits its price from the customer's balance in the plan's currency; 402 when it does not fit.</summary>
    Prepaid = 1,
}
