using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Tokens;

/// <summary>The SQL of tokens: the entitlement row, and the SHA-256 of each token string issued for it.</summary>
internal static class TokenRows
{
    private const string Select = "SELECT id, site_id, plan_id, plan_revision, customer, revoked_at_unix, created_at_unix, expires_at_unix, suspended_at_unix FROM tokens";

    /// <summary><paramref name="hash"/> null: an entitlement with no token string yet (a Stripe subscription before its claim).</summary>
    public static void Insert(Change change, string id, string siteId, string planId, long planRevision, string customer, long expiresAtUnix, byte[]? hash)
    {
        change.Command("""
            INSERT INTO tokens (id, site_id, plan_id, plan_revision, customer, expires_at_unix, revoked_at_unix, created_at_unix)
            VALUES ($id, $site, $plan, $revision, $customer, $expires, NULL, $now)
            """).With("$id", id).With("$site", siteId).With("$plan", planId).With("$revision", planRevision)
            .With("$customer", customer).With("$expires", expiresAtUnix).With("$now", change.NowUnix).Execute();
        if (hash is not null)
        {
            AddHash(change, id, hash);
        }
    }

    /// <summary>Moves one live token to a plan revision (a subscription's plan change); false if it was revoked or already there.</summary>
    public static bool MoveToPlan(Change change, string id, string planId, long planRevision) =>
        change.Command("""
            UPDATE tokens SET plan_id = $plan, plan_revision = $revision
            WHERE id = $id AND revoked_at_unix IS NULL AND NOT (plan_id = $plan AND plan_revision = $revision)
            """).With("$id", id).With("$plan", planId).With("$revision", planRevision).Execute() > 0;

    public static void AddHash(Change change, string tokenId, byte[] hash)
    {
        change.Command("INSERT INTO token_hashes (hash, token_id, expires_at_unix, created_at_unix) VALUES ($hash, $token, 0, $now)")
            .With("$hash", hash).With("$token", tokenId).With("$now", change.NowUnix).Execute();
    }

    /// <summary>Ends the token strings of <paramref name="tokenId"/> that would outlive <paramref name="expiresAtUnix"/>, at that time.</summary>
    public static void ExpireHashes(Change change, string tokenId, long expiresAtUnix)
    {
        change.Command("""
            UPDATE token_hashes SET expires_at_unix = $expires
            WHERE token_id = $token AND (expires_at_unix = 0 OR expires_at_unix > $expires)
            """).With("$token", tokenId).With("$expires", expiresAtUnix).Execute();
    }

    /// <summary>True if the token was live and is now revoked; false if it was already revoked.</summary>
    /// <summary>Revokes the token if it is not already; a revocation is also noted on the change, for the revocation channel.</summary>
    public static bool Revoke(Change change, string id)
    {
        var revoked = change.Command("UPDATE tokens SET revoked_at_unix = $now WHERE id = $id AND revoked_at_unix IS NULL")
            .With("$id", id).With("$now", change.NowUnix).Execute() > 0;
        if (revoked)
        {
            change.RevokedTokens.Add(id);
        }

        return revoked;
    }

    /// <summary>Suspends a live token (402 at the edge); false if it was revoked or already suspended.</summary>
    public static bool Suspend(Change change, string id) =>
        change.Command("UPDATE tokens SET suspended_at_unix = $now WHERE id = $id AND revoked_at_unix IS NULL AND suspended_at_unix IS NULL")
            .With("$id", id).With("$now", change.NowUnix).Execute() > 0;

    /// <summary>Lifts a suspension; false if the token was not suspended.</summary>
    public static bool Unsuspend(Change change, string id) =>
        change.Command("UPDATE tokens SET suspended_at_unix = NULL WHERE id = $id AND suspended_at_unix IS NOT NULL").With("$id", id).Execute() > 0;

    public static TokenResponse? Find(SqliteConnection connection, SqliteTransaction? transaction, string id) =>
        connection.Command(transaction, Select + " WHERE id = $id").With("$id", id).ReadOne(Read);

    public static List<TokenResponse> ListForSite(SqliteConnection connection, SqliteTransaction? transaction, string siteId) =>
        connection.Command(transaction, Select + " WHERE site_id = $site ORDER BY created_at_unix, id").With("$site", siteId).ReadAll(Read);

    private static TokenResponse Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        SiteId = r.GetString(1),
        PlanId = r.GetString(2),
        PlanRevision = r.GetInt64(3),
        Customer = r.GetString(4),
        Revoked = !r.IsDBNull(5),
        RevokedAt = r.IsDBNull(5) ? null : Sql.FromUnix(r.GetInt64(5)),
        CreatedAt = Sql.FromUnix(r.GetInt64(6)),
        ExpiresAt = Sql.FromUnixOrNever(r.GetInt64(7)),
        SuspendedAt = r.IsDBNull(8) ? null : Sql.FromUnix(r.GetInt64(8)),
    };
}
