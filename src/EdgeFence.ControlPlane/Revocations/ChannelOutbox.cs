using System.Security.Cryptography;
using EdgeFence.ControlPlane.Changes;
using EdgeFence.ControlPlane.Edges;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.Core.Channel;
using EdgeFence.Core.Security;

namespace EdgeFence.ControlPlane.Revocations;

/// <summary>
/// Writes revocation channel entries into the <c>channel_outbox</c> table inside the transaction of the change
/// they describe, signed with the snapshot key. The entry commits or rolls back with the change; the
/// <see cref="ChannelPublisher"/> adds committed rows to the Redis stream and deletes them. So "same change"
/// survives a crash between the SQLite commit and the XADD: the row is still there on the next start.
/// </summary>
internal sealed class ChannelOutbox
{
    private readonly ECDsa _signingKey;

    public ChannelOutbox(ECDsa signingKey) => _signingKey = signingKey;

    /// <summary>Set after each commit that wrote rows, to wake the publisher.</summary>
    public AsyncSignal Committed { get; } = new();

    public void Append(Change change, ChannelEntry entry)
    {
        var bytes = ChannelEntryCodec.Encode(entry);
        change.OutboxId = change.Command("""
            INSERT INTO channel_outbox (bytes, signature, created_at_unix_ms) VALUES ($bytes, $signature, $created);
            SELECT last_insert_rowid();
            """).With("$bytes", bytes).With("$signature", SnapshotSigner.Sign(bytes, _signingKey)).With("$created", entry.CreatedAtUnixMs)
            .ReadAll(r => r.GetInt64(0))[0];
    }
}
