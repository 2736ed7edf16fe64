using System.Security.Cryptography;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Core.Validation;

namespace EdgeFence.ControlPlane.Snapshots;

/// <summary>
/// Inside a change's transaction: takes the next version, reads the whole configuration, validates it with
/// the edge's own validator, serializes, signs and stores it. Any failure throws before the commit, so a
/// change the edges would refuse is never written.
/// </summary>
internal sealed class SnapshotIssuer
{
    private readonly ECDsa _signingKey;

    public SnapshotIssuer(ECDsa signingKey) => _signingKey = signingKey;

    public SignedSnapshot Issue(Change change)
    {
        var version = (change.Command("SELECT version FROM snapshot WHERE id = 1").ReadAll(r => r.GetInt64(0)) is [var current] ? current : 0) + 1;
        var snapshot = SnapshotReader.Read(change, version);

        var errors = SnapshotValidator.Validate(snapshot);
        if (errors.Count > 0)
        {
            throw ApiProblemException.Invalid(SnapshotErrorMapper.Map(errors));
        }

        byte[] bytes;
        try
        {
            bytes = SnapshotSerializer.Serialize(snapshot);
        }
        catch (ArgumentException ex)
        {
            throw ApiProblemException.Invalid("$", ex.Message);
        }

        var signed = new SignedSnapshot(version, snapshot.CreatedAtUnixMs, bytes, SnapshotSigner.Sign(bytes, _signingKey));
        change.Command("""
            INSERT INTO snapshot (id, version, created_at_unix_ms, bytes, signature) VALUES (1, $version, $created, $bytes, $signature)
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, created_at_unix_ms = excluded.created_at_unix_ms,
                bytes = excluded.bytes, signature = excluded.signature
            """).With("$version", signed.Version).With("$created", signed.CreatedAtUnixMs).With("$bytes", signed.Bytes).With("$signature", signed.Signature).Execute();
        return signed;
    }

    /// <summary>The stored latest snapshot, or null before the first one.</summary>
    public static SignedSnapshot? ReadLatest(Database database)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, created_at_unix_ms, bytes, signature FROM snapshot WHERE id = 1";
        return command.ReadOne(r => new SignedSnapshot(r.GetInt64(0), r.GetInt64(1), (byte[])r.GetValue(2), (byte[])r.GetValue(3)));
    }

    public bool Verifies(SignedSnapshot snapshot) => SnapshotSigner.Verify(snapshot.Bytes, snapshot.Signature, _signingKey);
}
