using System.Security.Cryptography;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Snapshots;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Core.Validation;

namespace EdgeFence.ControlPlane.Wallets;

/// <summary>
/// Inside a deposit's transaction: takes the next wallet book version, reads every balance, validates the book
/// with the edge's own validator, serializes, signs (the snapshot key: edges verify both with one public key) and
/// stores it. Any failure throws before the commit, so a deposit the edges could not take is never written.
/// </summary>
/// <remarks>
/// The signed bytes carry their kind (the book's MessagePack array starts with <c>"wallets"</c>), so a wallet
/// book sent as a snapshot, or the reverse, fails to deserialize at the edge: one key can sign both safely.
/// </remarks>
internal sealed class WalletBookIssuer
{
    private readonly ECDsa _signingKey;

    public WalletBookIssuer(ECDsa signingKey) => _signingKey = signingKey;

    /// <summary>The version the next <see cref="Issue"/> in this transaction will take.</summary>
    public static long NextVersion(Change change)
        => (change.Command("SELECT version FROM wallet_book WHERE id = 1").ReadAll(r => r.GetInt64(0)) is [var current] ? current : 0) + 1;

    public SignedSnapshot Issue(Change change)
    {
        var book = new WalletBook
        {
            Version = NextVersion(change),
            CreatedAtUnixMs = change.Now.ToUnixTimeMilliseconds(),
            Wallets = WalletRows.AllOfLiveSites(change),
        };

        var errors = SnapshotValidator.Validate(book);
        if (errors.Count > 0)
        {
            // The request's fields were checked against the same rules before; this is a stored row the edge refuses.
            throw new InvalidOperationException("the wallet book does not validate: " + string.Join("; ", errors));
        }

        byte[] bytes;
        try
        {
            bytes = SnapshotSerializer.Serialize(book);
        }
        catch (ArgumentException ex)
        {
            // More balances than an edge reads in one book (SnapshotLimits.MaxTokens): refuse the one that would add another.
            throw ApiProblemException.Conflict("wallet-book-full", "the wallet book cannot hold another balance: " + ex.Message);
        }

        var signed = new SignedSnapshot(book.Version, book.CreatedAtUnixMs, bytes, SnapshotSigner.Sign(bytes, _signingKey));
        change.Command("""
            INSERT INTO wallet_book (id, version, created_at_unix_ms, bytes, signature) VALUES (1, $version, $created, $bytes, $signature)
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, created_at_unix_ms = excluded.created_at_unix_ms,
                bytes = excluded.bytes, signature = excluded.signature
            """).With("$version", signed.Version).With("$created", signed.CreatedAtUnixMs).With("$bytes", signed.Bytes).With("$signature", signed.Signature).Execute();
        return signed;
    }

    /// <summary>The stored latest wallet book, or null before the first one.</summary>
    public static SignedSnapshot? ReadLatest(Database database)
    {
        using var connection = database.Open();
        return connection.Command(null, "SELECT version, created_at_unix_ms, bytes, signature FROM wallet_book WHERE id = 1")
            .ReadOne(r => new SignedSnapshot(r.GetInt64(0), r.GetInt64(1), (byte[])r.GetValue(2), (byte[])r.GetValue(3)));
    }

    public bool Verifies(SignedSnapshot book) => SnapshotSigner.Verify(book.Bytes, book.Signature, _signingKey);
}
