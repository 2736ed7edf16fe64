using System.Buffers;
using EdgeFence.Core.Model;
using MessagePack;

namespace EdgeFence.Core.Serialization;

/// <summary>Converts a <see cref="Snapshot"/> to and from the MessagePack bytes that the control plane signs.</summary>
public static class SnapshotSerializer
{
    // Built from the constructor rather than MessagePackSerializerOptions.Standard so that nothing here
    // references StandardResolver and the Reflection.Emit resolvers behind it. UntrustedData bounds the
    // nesting depth the formatters accept. No compression: the signature covers the exact bytes.
    /// <summary>The options the snapshot formatters run with; they resolve only snapshot types.</summary>
    public static MessagePackSerializerOptions Options { get; } =
        new MessagePackSerializerOptions(SnapshotResolver.Instance)
            .WithSecurity(MessagePackSecurity.UntrustedData)
            .WithCompression(MessagePackCompression.None);

    /// <summary>
    /// Serializes <paramref name="snapshot"/>. The same snapshot always gives the same bytes.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The snapshot holds something no reader accepts (a null required field, a hash that is not 32 bytes, a
    /// list beyond <see cref="SnapshotLimits"/>); the message names the field.
    /// </exception>
    public static byte[] Serialize(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);

        // Tokens dominate the size at roughly 100 bytes each; starting near the final size saves the
        // buffer doublings and their copies for large snapshots.
        int tokens = Math.Min(snapshot.Tokens?.Count ?? 0, SnapshotLimits.MaxTokens);
        var buffer = new ArrayBufferWriter<byte>(4096 + tokens * 100);
        var writer = new MessagePackWriter(buffer);
        try
        {
            SnapshotFormatter.Instance.Serialize(ref writer, snapshot, Options);
        }
        catch (SnapshotFormatException e)
        {
            throw new ArgumentException(e.Message, nameof(snapshot), e);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a snapshot, refusing anything but exactly one well-formed snapshot.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a valid snapshot; no other exception is thrown.</exception>
    public static Snapshot Deserialize(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new SnapshotFormatException("snapshot is empty");
        }

        var reader = new MessagePackReader(bytes);
        Snapshot snapshot;
        try
        {
            snapshot = SnapshotFormatter.Instance.Deserialize(ref reader, Options);
        }
        catch (EndOfStreamException e)
        {
            throw new SnapshotFormatException("snapshot is truncated", e);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new SnapshotFormatException("snapshot nests too deeply", e);
        }
        catch (MessagePackSerializationException e)
        {
            throw new SnapshotFormatException("snapshot is not valid MessagePack: " + e.Message, e);
        }
        catch (Exception e) when (e is OverflowException or ArgumentException or InvalidOperationException)
        {
            // MessagePackReader documents only the two exceptions above, and the formatters check forged
            // 32-bit lengths before it sees them; should one still get through, it would fail inside the
            // reader's own sequence reader with one of these. The contract stays: malformed input raises
            // SnapshotFormatException and nothing else.
            throw new SnapshotFormatException("snapshot is not valid MessagePack: " + e.Message, e);
        }

        if (!reader.End)
        {
            throw new SnapshotFormatException($"snapshot is followed by {bytes.Length - reader.Consumed} unexpected bytes");
        }

        return snapshot;
    }
}
