using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Plans;
using EdgeFence.ControlPlane.Storage;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>Makes sure a plan's current revision has its Stripe Product and Price: created on first need, recorded, reused.</summary>
internal sealed class StripePrices
{
    private readonly Database _database;
    private readonly StripeGateway _stripe;
    private readonly ChangeRunner _changes;

    public StripePrices(Database database, StripeGateway stripe, ChangeRunner changes)
    {
        _database = database;
        _stripe = stripe;
        _changes = changes;
    }

    /// <summary>Checks that Stripe can sell <paramref name="plan"/>: a price above zero, a period Stripe bills by.</summary>
    public static void CheckBillable(PlanResponse plan)
    {
        if (plan.Price <= 0)
        {
            throw StripeAmounts.NotBillable($"plan '{plan.Id}' has no price; give it one (PATCH /v1/plans/{plan.Id})");
        }

        _ = StripeAmounts.Interval(PlanRows.Terms(plan).QuotaPeriod);
    }

    /// <summary>
    /// The Price of the plan's current revision. Stripe is called outside any transaction (the writer is never held across
    /// the network); what it created is recorded after, and the idempotency keys make a concurrent or retried create return the same objects.
    /// </summary>
    public async Task<StripePlanPrice> EnsureAsync(StripeAccount account, PlanResponse plan, bool ignoreRecorded, CancellationToken cancellationToken)
    {
        string? productId;
        string? priceId;
        using (var connection = _database.Open())
        {
            productId = ignoreRecorded ? null : StripePriceRows.ProductOf(connection, null, plan.Id);
            priceId = ignoreRecorded ? null : StripePriceRows.PriceOf(connection, null, plan.Id, plan.Revision);
        }

        if (productId is not null && priceId is not null)
        {
            return new StripePlanPrice { PlanId = plan.Id, PlanRevision = plan.Revision, ProductId = productId, PriceId = priceId };
        }

        productId ??= await _stripe.CreateProductAsync(account, plan.Id, plan.Name, cancellationToken).ConfigureAwait(false);
        priceId = await _stripe.CreatePriceAsync(account, productId, plan.Id, plan.Revision, PlanRows.Terms(plan), cancellationToken).ConfigureAwait(false);
        return new StripePlanPrice { PlanId = plan.Id, PlanRevision = plan.Revision, ProductId = productId, PriceId = priceId };
    }

    /// <summary>Records prices in a change of its own (no snapshot: the edges do not need Stripe ids).</summary>
    public Task RecordAsync(string description, IReadOnlyList<StripePlanPrice> prices, CancellationToken cancellationToken) =>
        _changes.RunAsync("stripe", description, change =>
        {
            change.Unchanged = true;
            foreach (var price in prices)
            {
                StripePriceRows.Record(change, price.PlanId, price.PlanRevision, price.ProductId, price.PriceId);
            }

            return 0;
        }, cancellationToken);
}
