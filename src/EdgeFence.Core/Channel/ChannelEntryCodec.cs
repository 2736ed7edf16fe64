using System.Buffers;
using EdgeFence.Core.Serialization;
using MessagePack;

namespace EdgeFence.Core.Channel;

/// <summary>
/// The bytes of a <see cref="ChannelEntry"/>: the MessagePack array
/// <c>["edgefence-channel", formatVersion, kind, version, createdAtUnixMs, tokenId, siteId, customer, currency, creditedMicros]</c>,
/// signed like a snapshot. The leading tag keeps an entry from ever being read as a snapshot (first field a
/// number) or a wallet book (tag <c>"wallets"</c>), and either of those as an entry, though one key signs all three.
/// </summary>
public static class ChannelEntryCodec
{
    /// <summary>The first field of every entry.</summary>
    public const string Tag = "edgefence-channel";

    /// <summary>The layout this build writes and the only one it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// Largest entry an edge looks at. Real entries are under 300 bytes; anyone who can write to the stream
    /// could otherwise make every edge buffer and hash megabytes per entry before the signature check fails.
    /// </summary>
    public const int MaxEntryBytes = 4096;

    /// <summary>Longest id, customer or currency in an entry: far above real ones (under 64 characters), small enough to keep entries under <see cref="MaxEntryBytes"/>.</summary>
    public const int MaxFieldLength = 512;

    private const int FieldCount = 10;

    public static byte[] Encode(ChannelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        foreach (var field in (ReadOnlySpan<string>)[entry.TokenId, entry.SiteId, entry.Customer, entry.Currency])
        {
            if (field is null || field.Length > MaxFieldLength)
            {
                throw new ArgumentException($"a channel entry field is null or longer than {MaxFieldLength} characters", nameof(entry));
            }
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(FieldCount);
        writer.Write(Tag);
        writer.Write(FormatVersion);
        writer.Write((byte)entry.Kind);
        writer.Write(entry.Version);
        writer.Write(entry.CreatedAtUnixMs);
        writer.Write(entry.TokenId);
        writer.Write(entry.SiteId);
        writer.Write(entry.Customer);
        writer.Write(entry.Currency);
        writer.Write(entry.CreditedMicros);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes an entry whose signature was already verified; false (with why) for anything malformed.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChannelEntry? entry, out string error)
    {
        entry = null;
        if (bytes.Length > MaxEntryBytes)
        {
            error = $"entry is larger than {MaxEntryBytes} bytes";
            return false;
        }

        try
        {
            var reader = new MessagePackReader(bytes);
            if (reader.ReadArrayHeader() != FieldCount)
            {
                error = "not a channel entry (wrong field count)";
                return false;
            }

            if (reader.NextMessagePackType != MessagePackType.String || reader.ReadString() != Tag)
            {
                error = $"not a channel entry (expected tag '{Tag}')";
                return false;
            }

            if (reader.ReadInt32() != FormatVersion)
            {
                error = $"unknown channel entry format, this build reads {FormatVersion}";
                return false;
            }

            var kind = (ChannelEntryKind)reader.ReadByte();
            var version = reader.ReadInt64();
            var created = reader.ReadInt64();
            var tokenId = ReadField(ref reader);
            var siteId = ReadField(ref reader);
            var customer = ReadField(ref reader);
            var currency = ReadField(ref reader);
            var credited = reader.ReadInt64();
            if (!reader.End)
            {
                error = "trailing bytes after the entry";
                return false;
            }

            var valid = kind switch
            {
                ChannelEntryKind.Revoke => tokenId.Length > 0,
                ChannelEntryKind.Credit => siteId.Length > 0 && customer.Length > 0 && currency.Length > 0 && credited >= 0,
                ChannelEntryKind.Heartbeat => true,
                _ => false,
            };
            if (!valid || version <= 0)
            {
                error = $"entry of kind {(byte)kind} lacks its fields or version";
                return false;
            }

            entry = new ChannelEntry(kind, version, created, tokenId, siteId, customer, currency, credited);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or SnapshotFormatException)
        {
            error = "entry is corrupt: " + ex.Message;
            return false;
        }
    }

    private static string ReadField(ref MessagePackReader reader)
    {
        var value = reader.ReadString() ?? throw new SnapshotFormatException("null field");
        return value.Length > MaxFieldLength ? throw new SnapshotFormatException($"field longer than {MaxFieldLength}") : value;
    }
}
