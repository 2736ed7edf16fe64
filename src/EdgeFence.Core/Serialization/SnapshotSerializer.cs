using System.Buffers;
using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>Converts a <see cref="Snapshot"/> (and a <see cref="WalletBook"/>) to and from the MessagePack bytes that the control plane signs.</summary>
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
        return Write(snapshot, SnapshotFormatter.Instance, 4096 + (Math.Min(snapshot.Tokens?.Count ?? 0, SnapshotLimits.MaxTokens) * 100), nameof(snapshot));
    }

    /// <summary>Serializes a wallet book. The same book always gives the same bytes.</summary>
    /// <exception cref="ArgumentException">The book holds something no reader accepts; the message names the field.</exception>
    public static byte[] Serialize(WalletBook book)
    {
        ArgumentNullException.ThrowIfNull(book);
        return Write(book, WalletBookFormatter.Instance, 1024 + (Math.Min(book.Wallets?.Count ?? 0, SnapshotLimits.MaxTokens) * 48), nameof(book));
    }

    /// <summary>Serializes a delta. The same delta always gives the same bytes.</summary>
    /// <exception cref="ArgumentException">The delta holds something no reader accepts; the message names the field.</exception>
    public static byte[] Serialize(SnapshotDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return Write(delta, SnapshotDeltaFormatter.Instance, 1024 + (Math.Min(delta.Tokens?.Count ?? 0, SnapshotLimits.MaxDeltaTokens) * 100), nameof(delta));
    }

    /// <summary>Reads a delta, refusing anything but exactly one well-formed delta.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a valid delta; no other exception is thrown.</exception>
    public static SnapshotDelta DeserializeDelta(ReadOnlyMemory<byte> bytes) => Read(bytes, SnapshotDeltaFormatter.Instance, "delta");

    /// <summary>Reads a snapshot, refusing anything but exactly one well-formed snapshot.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a valid snapshot; no other exception is thrown.</exception>
    public static Snapshot Deserialize(ReadOnlyMemory<byte> bytes) => Read(bytes, SnapshotFormatter.Instance, "snapshot");

    /// <summary>Reads a wallet book, refusing anything but exactly one well-formed wallet book.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a valid wallet book; no other exception is thrown.</exception>
    public static WalletBook DeserializeWallets(ReadOnlyMemory<byte> bytes) => Read(bytes, WalletBookFormatter.Instance, "wallet book");

    private static byte[] Write<T>(T value, IMessagePackFormatter<T> formatter, int sizeHint, string parameter)
    {
        var buffer = new ArrayBufferWriter<byte>(sizeHint);
        var writer = new MessagePackWriter(buffer);
        try
        {
            formatter.Serialize(ref writer, value, Options);
        }
        catch (SnapshotFormatException e)
        {
            throw new ArgumentException(e.Message, parameter, e);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static T Read<T>(ReadOnlyMemory<byte> bytes, IMessagePackFormatter<T> formatter, string what)
    {
        if (bytes.IsEmpty)
        {
            throw new SnapshotFormatException(what + " is empty");
        }

        var reader = new MessagePackReader(bytes);
        T value;
        try
        {
            value = formatter.Deserialize(ref reader, Options);
        }
        catch (EndOfStreamException e)
        {
            throw new SnapshotFormatException(what + " is truncated", e);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new SnapshotFormatException(what + " nests too deeply", e);
        }
        catch (MessagePackSerializationException e)
        {
            throw new SnapshotFormatException(what + " is not valid MessagePack: " + e.Message, e);
        }
        catch (Exception e) when (e is OverflowException or ArgumentException or InvalidOperationException)
        {
            // MessagePackReader documents only the two exceptions above, and the formatters check forged
            // 32-bit lengths before it sees them; should one still get through, it would fail inside the
            // reader's own sequence reader with one of these. The contract stays: malformed input raises
            // SnapshotFormatException and nothing else.
            throw new SnapshotFormatException(what + " is not valid MessagePack: " + e.Message, e);
        }

        if (!reader.End)
        {
            throw new SnapshotFormatException($"{what} is followed by {bytes.Length - reader.Consumed} unexpected bytes");
        }

        return value;
    }
}
