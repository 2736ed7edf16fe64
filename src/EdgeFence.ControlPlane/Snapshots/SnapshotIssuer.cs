using System.Security.Cryptography;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Core.Validation;

namespace EdgeFence.ControlPlane.Snapshots;

/// <summary>
/// Inside a change's transaction: takes the next version and issues what the edges need for it. A change that
/// touched only tokens gets a delta of exactly those tokens (read by hash, never the whole configuration); any
/// other change, or one too large for a delta, gets a full snapshot read, validated with the edge's own validator,
/// serialized, signed and stored. Any failure throws before the commit, so a change the edges would refuse is
/// never written.
/// </summary>
internal sealed class SnapshotIssuer
{
    /// <summary>
    /// Deltas kept for edges that are behind: an edge further back than this many versions gets a full snapshot.
    /// Each delta of a typical change is a few hundred bytes; the bound keeps the table and the pusher's memory small.
    /// </summary>
    public const int DeltaHistory = 256;

    private readonly ECDsa _signingKey;

    public SnapshotIssuer(ECDsa signingKey) => _signingKey = signingKey;

    public IssuedVersion Issue(Change change)
    {
        var head = ReadHead(change);
        var version = (head?.Version ?? 0) + 1;
        var touchedConfig = change.Command("SELECT 1 FROM snapshot_touched_config").Exists();
        var touched = change.Command("SELECT COUNT(*) FROM snapshot_touched_tokens").ReadAll(r => r.GetInt64(0))[0];

        // A delta needs a base, and is only worth it while it is small: past the edge's limit a full snapshot is smaller work.
        IssuedVersion issued = change.RequireFullSnapshot || head is null || touchedConfig || touched > SnapshotLimits.MaxDeltaTokens
            ? new IssuedVersion(version, IssueFull(change, version), null)
            : new IssuedVersion(version, null, IssueDelta(change, head.Value, version));

        change.Command("DELETE FROM snapshot_touched_tokens").Execute();
        change.Command("DELETE FROM snapshot_touched_config").Execute();
        return issued;
    }

    /// <summary>
    /// The full snapshot of the latest version: the stored one when it is that version, else read now (the change
    /// runs under the writer lock, so the database is exactly that version), stored, and returned. It declares the
    /// state hash of the version, so deltas after it apply to an edge that took it.
    /// </summary>
    public SignedSnapshot LatestFull(Change change)
    {
        var head = ReadHead(change) ?? throw new InvalidOperationException("no snapshot has been issued yet");
        if (ReadLatest(change) is { } stored && stored.Version == head.Version)
        {
            return stored;
        }

        return Store(change, Build(change, head.Version, head.StateHash));
    }

    /// <summary>The stored latest full snapshot, or null before the first one.</summary>
    public static SignedSnapshot? ReadLatest(Database database)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, created_at_unix_ms, bytes, signature FROM snapshot WHERE id = 1";
        return command.ReadOne(r => new SignedSnapshot(r.GetInt64(0), r.GetInt64(1), (byte[])r.GetValue(2), (byte[])r.GetValue(3)));
    }

    /// <summary>The stored deltas after <paramref name="version"/>, oldest first.</summary>
    public static List<SignedDelta> ReadDeltasAfter(Database database, long version)
    {
        using var connection = database.Open();
        return connection.Command(null, "SELECT version, created_at_unix_ms, bytes, signature FROM snapshot_deltas WHERE version > $version ORDER BY version")
            .With("$version", version)
            .ReadAll(r => new SignedDelta(r.GetInt64(0), r.GetInt64(1), (byte[])r.GetValue(2), (byte[])r.GetValue(3)));
    }

    public bool Verifies(SignedSnapshot snapshot) => SnapshotSigner.Verify(snapshot.Bytes, snapshot.Signature, _signingKey);

    public bool Verifies(SignedDelta delta) => SnapshotSigner.Verify(delta.Bytes, delta.Signature, _signingKey);

    private SignedSnapshot IssueFull(Change change, long version)
    {
        // No declared state hash: the edges chain the next delta to the hash of these very bytes.
        var signed = Store(change, Build(change, version, stateHash: null));
        SetHead(change, version, StateHash.Of(signed.Bytes));

        // The chain starts again here: no delta reaches this version from an older one.
        change.Command("DELETE FROM snapshot_deltas").Execute();
        return signed;
    }

    private SignedDelta IssueDelta(Change change, (long Version, byte[] StateHash) head, long version)
    {
        // 1. The touched hashes' records as a full snapshot would hold them; a touched hash without one is removed.
        var tokens = SnapshotReader.ReadTouchedTokens(change);
        var present = new HashSet<string>(tokens.Count, StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            present.Add(Convert.ToHexString(token.Hash));
        }

        var removed = change.Command("SELECT hash FROM snapshot_touched_tokens").ReadAll(r => (byte[])r.GetValue(0)).Where(h => !present.Contains(Convert.ToHexString(h))).ToList();
        var delta = new SnapshotDelta
        {
            Version = version,
            BaseVersion = head.Version,
            BaseStateHash = head.StateHash,
            CreatedAtUnixMs = change.Now.ToUnixTimeMilliseconds(),
            Tokens = tokens,
            RemovedTokenHashes = removed,
        };

        // 2. The edge's rules for a delta, against the database's sites and plans.
        var sites = change.Command("SELECT id FROM sites").ReadAll(r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);
        var planSites = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (planId, revision, siteId) in change.Command("SELECT v.plan_id, v.revision, p.site_id FROM plan_revisions v JOIN plans p ON p.id = v.plan_id")
            .ReadAll(r => (r.GetString(0), r.GetInt64(1), r.GetString(2))))
        {
            planSites[Plans.PlanRevisionId.For(planId, revision)] = siteId;
        }

        var errors = SnapshotValidator.ValidateDelta(delta, sites.Contains, plan => planSites.GetValueOrDefault(plan));
        if (errors.Count > 0)
        {
            throw ApiProblemException.Invalid(SnapshotErrorMapper.Map(errors));
        }

        // 3. Serialize, sign, keep in the bounded history; the version's state hash is that of these bytes.
        byte[] bytes;
        try
        {
            bytes = SnapshotSerializer.Serialize(delta);
        }
        catch (ArgumentException ex)
        {
            throw ApiProblemException.Invalid("$", ex.Message);
        }

        var signed = new SignedDelta(version, delta.CreatedAtUnixMs, bytes, SnapshotSigner.Sign(bytes, _signingKey));
        change.Command("INSERT INTO snapshot_deltas (version, created_at_unix_ms, bytes, signature) VALUES ($version, $created, $bytes, $signature)")
            .With("$version", version).With("$created", signed.CreatedAtUnixMs).With("$bytes", bytes).With("$signature", signed.Signature).Execute();
        change.Command("DELETE FROM snapshot_deltas WHERE version <= $oldest").With("$oldest", version - DeltaHistory).Execute();
        SetHead(change, version, StateHash.Of(bytes));
        return signed;
    }

    private Snapshot Build(Change change, long version, byte[]? stateHash)
    {
        var snapshot = SnapshotReader.Read(change, version, stateHash);
        var errors = SnapshotValidator.Validate(snapshot);
        if (errors.Count > 0)
        {
            throw ApiProblemException.Invalid(SnapshotErrorMapper.Map(errors));
        }

        return snapshot;
    }

    private SignedSnapshot Store(Change change, Snapshot snapshot)
    {
        byte[] bytes;
        try
        {
            bytes = SnapshotSerializer.Serialize(snapshot);
        }
        catch (ArgumentException ex)
        {
            throw ApiProblemException.Invalid("$", ex.Message);
        }

        var signed = new SignedSnapshot(snapshot.Version, snapshot.CreatedAtUnixMs, bytes, SnapshotSigner.Sign(bytes, _signingKey));
        change.Command("""
            INSERT INTO snapshot (id, version, created_at_unix_ms, bytes, signature) VALUES (1, $version, $created, $bytes, $signature)
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, created_at_unix_ms = excluded.created_at_unix_ms,
                bytes = excluded.bytes, signature = excluded.signature
            """).With("$version", signed.Version).With("$created", signed.CreatedAtUnixMs).With("$bytes", signed.Bytes).With("$signature", signed.Signature).Execute();
        return signed;
    }

    private static SignedSnapshot? ReadLatest(Change change)
        => change.Command("SELECT version, created_at_unix_ms, bytes, signature FROM snapshot WHERE id = 1")
            .ReadOne(r => new SignedSnapshot(r.GetInt64(0), r.GetInt64(1), (byte[])r.GetValue(2), (byte[])r.GetValue(3)));

    /// <summary>
    /// The latest version and its state hash. A database from before deltas has only its stored snapshot: that
    /// version, and the hash of its bytes (which declare none).
    /// </summary>
    private static (long Version, byte[] StateHash)? ReadHead(Change change)
    {
        if (change.Command("SELECT version, state_hash FROM snapshot_head WHERE id = 1").ReadAll(r => (r.GetInt64(0), (byte[])r.GetValue(1))) is [var head])
        {
            return head;
        }

        return ReadLatest(change) is { } stored ? (stored.Version, StateHash.Of(stored.Bytes)) : null;
    }

    private static void SetHead(Change change, long version, byte[] stateHash)
        => change.Command("""
            INSERT INTO snapshot_head (id, version, state_hash) VALUES (1, $version, $hash)
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, state_hash = excluded.state_hash
            """).With("$version", version).With("$hash", stateHash).Execute();
}
