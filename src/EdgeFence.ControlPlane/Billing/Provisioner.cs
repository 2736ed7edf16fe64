using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Secrets;
using EdgeFence.ControlPlane.Tokens;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>
/// The one place a paid checkout becomes a token, called from the webhook (<c>checkout.session.completed</c>) and
/// from the claim (when the customer is back before the webhook). Keyed by checkout and subscription id, both
/// unique in <c>stripe_subscriptions</c>: whichever path comes second finds the first one's token.
/// </summary>
internal static class Provisioner
{
    /// <summary>The token id of the subscription; <paramref name="created"/> tells whether this call made it.</summary>
    public static string Provision(Change change, CheckoutRecord checkout, SubscriptionState state, long stateAtUnix, out bool created)
    {
        var existing = SubscriptionRows.FindByCheckout(change.Connection, change.Transaction, checkout.Id)
            ?? SubscriptionRows.Find(change.Connection, change.Transaction, state.SubscriptionId);
        if (existing is not null)
        {
            created = false;
            return existing.TokenId;
        }

        // The subscription's price now, which a plan change before this event may have moved; else the plan bought.
        var plan = StripePriceRows.PlanOf(change.Connection, change.Transaction, checkout.SiteId, state.PriceId) ?? (checkout.PlanId, checkout.PlanRevision);
        var tokenId = SecretGenerator.Id("tok");
        change.Focus = tokenId;

        // No token string yet: it is made at the claim and exists in clear only in that answer.
        TokenRows.Insert(change, tokenId, checkout.SiteId, plan.PlanId, plan.Revision, checkout.CustomerRef ?? state.CustomerId, 0, hash: null);
        SubscriptionRows.Insert(change, checkout.SiteId, checkout.Id, tokenId, state, stateAtUnix);
        if (state.Ended)
        {
            TokenRows.Revoke(change, tokenId);
        }

        created = true;
        return tokenId;
    }

    /// <summary>
    /// Applies a newer state of a provisioned subscription to its token: ended revokes, a new price moves the token to
    /// that price's plan revision. A canceled subscription stays canceled: Stripe never reactivates one.
    /// </summary>
    public static string Apply(Change change, SubscriptionRecord current, SubscriptionState state, long stateAtUnix)
    {
        if (current.Status is "canceled" or "incomplete_expired")
        {
            change.Unchanged = true;
            return "already-ended";
        }

        SubscriptionRows.UpdateState(change, state, stateAtUnix);
        if (state.Ended)
        {
            change.Unchanged = !TokenRows.Revoke(change, current.TokenId);
            return "revoked";
        }

        var plan = StripePriceRows.PlanOf(change.Connection, change.Transaction, current.SiteId, state.PriceId);
        if (plan is null)
        {
            // A price made outside EdgeFence: the state is kept, the token stays on its plan until a known price comes.
            change.Unchanged = true;
            return "unknown-price";
        }

        change.Focus = current.TokenId;
        var moved = TokenRows.MoveToPlan(change, current.TokenId, plan.Value.PlanId, plan.Value.Revision);
        change.Unchanged = !moved;
        return moved ? "migrated" : "updated";
    }
}
