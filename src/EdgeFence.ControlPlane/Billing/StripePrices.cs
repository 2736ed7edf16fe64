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
    private readonly StripeMeters _meters;

    public StripePrices(Database database, StripeGateway stripe, ChangeRunner changes, StripeMeters meters)
    {
        _database = database;
        _stripe = stripe;
        _changes = changes;
        _meters = meters;
    }

    /// <summary>
    /// Checks that Stripe can sell <paramref name="plan"/>: a price above zero or an overage price (pay-as-you-go: no
    /// flat price, a soft quota of 0, every unit billed through the meter), and a period Stripe bills by.
    /// </summary>
    public static void CheckBillable(PlanResponse plan)
    {
        if (plan.Price <= 0 && plan.OveragePrice is null)
        {
            throw StripeAmounts.NotBillable($"plan '{plan.Id}' has no price; give it one (PATCH /v1/plans/{plan.Id})");
        }

        _ = StripeAmounts.Interval(PlanRows.Terms(plan).QuotaPeriod);
    }

    /// <summary>
    /// The Price of the plan's current revision and, with an overage price, its metered Price on the overage Billing Meter
    /// (found or created first). Stripe is called outside any transaction (the writer is never held across the network);
    /// what it created is recorded after, and the idempotency keys (and the meter lookup by event name) make a concurrent
    /// or retried create return the same objects.
    /// </summary>
    public async Task<StripePlanPrice> EnsureAsync(StripeAccount account, PlanResponse plan, bool ignoreRecorded, CancellationToken cancellationToken)
    {
        var terms = PlanRows.Terms(plan);
        string? productId;
        string? priceId;
        string? meteredPriceId;
        using (var connection = _database.Open())
        {
            productId = ignoreRecorded ? null : StripePriceRows.ProductOf(connection, null, plan.Id);
            (priceId, meteredPriceId) = ignoreRecorded ? (null, null) : StripePriceRows.PricesOf(connection, null, plan.Id, plan.Revision);
        }

        var needsMetered = terms.OveragePriceMicros is not null;
        var meterId = needsMetered ? _meters.Recorded(account.SiteId, ignoreRecorded) : null;
        if (productId is not null && priceId is not null && (!needsMetered || (meteredPriceId is not null && meterId is not null)))
        {
            return new StripePlanPrice { PlanId = plan.Id, PlanRevision = plan.Revision, ProductId = productId, PriceId = priceId, MeteredPriceId = meteredPriceId, MeterId = meterId };
        }

        productId ??= await _stripe.CreateProductAsync(account, plan.Id, plan.Name, cancellationToken).ConfigureAwait(false);

        // Pay-as-you-go (no flat price): the metered Price is the revision's only Price, recorded as both.
        var payAsYouGo = terms.PriceMicros == 0 && needsMetered;
        if (!payAsYouGo)
        {
            priceId ??= await _stripe.CreatePriceAsync(account, productId, plan.Id, plan.Revision, terms, cancellationToken).ConfigureAwait(false);
        }

        if (needsMetered)
        {
            meterId ??= await _meters.EnsureAsync(account, ignoreRecorded, cancellationToken).ConfigureAwait(false);
            meteredPriceId ??= await _stripe.CreateMeteredPriceAsync(account, productId, meterId, plan.Id, plan.Revision, terms, cancellationToken).ConfigureAwait(false);
            priceId ??= meteredPriceId;
        }

        return new StripePlanPrice { PlanId = plan.Id, PlanRevision = plan.Revision, ProductId = productId, PriceId = priceId!, MeteredPriceId = meteredPriceId, MeterId = meterId };
    }

    /// <summary>Records prices in a change of its own (no snapshot: the edges do not need Stripe ids).</summary>
    public Task RecordAsync(string description, IReadOnlyList<StripePlanPrice> prices, CancellationToken cancellationToken) =>
        _changes.RunAsync("stripe", description, change =>
        {
            change.Unchanged = true;
            Record(change, prices);
            return 0;
        }, cancellationToken);

    /// <summary>Records prices, and the meter their metered Prices read, in the caller's change.</summary>
    public void Record(Change change, IReadOnlyList<StripePlanPrice> prices)
    {
        foreach (var price in prices)
        {
            if (price.MeterId is not null && PlanRows.Find(change.Connection, change.Transaction, price.PlanId) is { } plan)
            {
                _meters.Record(change.Connection, change.Transaction, plan.SiteId, price.MeterId, change.NowUnix);
            }

            StripePriceRows.Record(change, price.PlanId, price.PlanRevision, price.ProductId, price.PriceId, price.MeteredPriceId);
        }
    }
}
