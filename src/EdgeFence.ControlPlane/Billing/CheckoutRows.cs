using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Billing;

/// <summary>The SQL of <c>stripe_checkouts</c>.</summary>
internal static class CheckoutRows
{
    private const string Select = """
        SELECT id, site_id, plan_id, plan_revision, customer_ref, customer_email, session_id, claim_expires_at_unix, claimed_at_unix
        FROM stripe_checkouts
        """;

    public static void Insert(Change change, CheckoutRecord checkout, byte[] claimHash)
    {
        change.Command("""
            INSERT INTO stripe_checkouts (id, site_id, plan_id, plan_revision, customer_ref, customer_email, session_id, claim_hash,
                                          claim_expires_at_unix, claimed_at_unix, created_at_unix)
            VALUES ($id, $site, $plan, $revision, $ref, $email, $session, $claim, $expires, NULL, $now)
            """).With("$id", checkout.Id).With("$site", checkout.SiteId).With("$plan", checkout.PlanId).With("$revision", checkout.PlanRevision)
            .With("$ref", checkout.CustomerRef).With("$email", checkout.CustomerEmail).With("$session", checkout.SessionId)
            .With("$claim", claimHash).With("$expires", checkout.ClaimExpiresAtUnix).With("$now", change.NowUnix).Execute();
    }

    public static CheckoutRecord? Find(SqliteConnection connection, SqliteTransaction? transaction, string id) =>
        connection.Command(transaction, Select + " WHERE id = $id").With("$id", id).ReadOne(Read);

    public static CheckoutRecord? FindByClaim(SqliteConnection connection, SqliteTransaction? transaction, byte[] claimHash) =>
        connection.Command(transaction, Select + " WHERE claim_hash = $hash").With("$hash", claimHash).ReadOne(Read);

    /// <summary>True if this call used the claim; false if another request already had.</summary>
    public static bool MarkClaimed(Change change, string id) =>
        change.Command("UPDATE stripe_checkouts SET claimed_at_unix = $now WHERE id = $id AND claimed_at_unix IS NULL")
            .With("$id", id).With("$now", change.NowUnix).Execute() == 1;

    private static CheckoutRecord Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.NullableString(4), r.GetString(5), r.GetString(6), r.GetInt64(7), r.NullableInt64(8));
}
