using EdgeFence.Core.Model;

namespace EdgeFence.Core.Validation;

public static partial class SnapshotValidator
{
    /// <summary>
    /// Validates a delta against the state it applies to: the same per-token rules as a full snapshot, with sites and
    /// plans looked up in what the edge serves (<paramref name="siteOfPlan"/> gives a plan's site, or null for an
    /// unknown plan). An empty list means the delta is valid.
    /// </summary>
    /// <remarks>
    /// Not checked here, unlike in a full snapshot: that a token sharing an id with a served token (its rotated
    /// predecessor) has the same plan and customer. That needs an id index the edge does not keep; the control plane
    /// checks it before signing, and a mismatch could only merge two counters, never grant a plan's access.
    /// </remarks>
    public static IReadOnlyList<string> ValidateDelta(SnapshotDelta delta, Func<string, bool> siteExists, Func<string, string?> siteOfPlan)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(siteExists);
        ArgumentNullException.ThrowIfNull(siteOfPlan);
        var errors = new List<string>();
        if (delta.BaseVersion <= 0)
        {
            errors.Add("baseVersion: must be positive");
        }

        if (delta.Version <= delta.BaseVersion)
        {
            errors.Add("version: must be greater than baseVersion");
        }

        var hashes = new HashSet<TokenHash>(delta.Tokens.Count + delta.RemovedTokenHashes.Count);
        for (var i = 0; i < delta.Tokens.Count; i++)
        {
            var token = delta.Tokens[i];
            if (!IsIdentifier(token.Id))
            {
                errors.Add($"tokens[{i}].id: {IdentifierRule}");
            }

            if (TextProblem(token.Customer) is { } customerProblem)
            {
                errors.Add($"tokens[{i}].customer: {customerProblem}");
            }

            if (token.SiteId is null || !siteExists(token.SiteId))
            {
                errors.Add($"tokens[{i}].siteId: unknown site '{token.SiteId}'");
            }

            if (token.PlanId is null || siteOfPlan(token.PlanId) is not { } planSite)
            {
                errors.Add($"tokens[{i}].planId: unknown plan '{token.PlanId}'");
            }
            else if (planSite != token.SiteId)
            {
                errors.Add($"tokens[{i}].planId: plan '{token.PlanId}' belongs to another site");
            }

            if (token.Hash is null || token.Hash.Length != 32)
            {
                errors.Add($"tokens[{i}].hash: must be a 32-byte SHA-256");
            }
            else if (!hashes.Add(new TokenHash(token.Hash)))
            {
                errors.Add($"tokens[{i}].hash: duplicate token hash");
            }

            if (token.ExpiresAtUnix < 0)
            {
                errors.Add($"tokens[{i}].expiresAtUnix: must not be negative");
            }
        }

        for (var i = 0; i < delta.RemovedTokenHashes.Count; i++)
        {
            var hash = delta.RemovedTokenHashes[i];
            if (hash is null || hash.Length != 32)
            {
                errors.Add($"removedTokenHashes[{i}]: must be a 32-byte SHA-256");
            }
            else if (!hashes.Add(new TokenHash(hash)))
            {
                errors.Add($"removedTokenHashes[{i}]: the token is also changed or removed elsewhere in this delta");
            }
        }

        return errors;
    }
}
