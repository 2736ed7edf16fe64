using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes a <see cref="WalletBook"/> as the array <c>["wallets", formatVersion, version, createdAtUnixMs, wallets]</c>.
/// The leading tag keeps a wallet book from ever being read as a snapshot (whose first field is a number), and
/// the other way round, even though both are signed with the same key.
/// </summary>
public sealed class WalletBookFormatter : IMessagePackFormatter<WalletBook>
{
    /// <summary>The first field of every wallet book.</summary>
    public const string Tag = "wallets";

    /// <summary>The layout this build writes and the only one it reads.</summary>
    public const int FormatVersion = 1;

    private const int FieldCount = 5;

    public static readonly WalletBookFormatter Instance = new();

    private WalletBookFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, WalletBook value, MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteArrayHeader(FieldCount);
        writer.Write(Tag);
        writer.Write(FormatVersion);
        writer.Write(value.Version);
        writer.Write(value.CreatedAtUnixMs);
        FieldWriter.WriteList(ref writer, value.Wallets, WalletRecordFormatter.Instance, options, "wallets", SnapshotLimits.MaxTokens);
    }

    public WalletBook Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int extraFields = FieldReader.ReadObjectHeader(ref reader, "wallets", FieldCount);
        if (FieldReader.ReadString(ref reader, "tag") != Tag)
        {
            throw SnapshotFormatException.At("tag", $"not a wallet book (expected '{Tag}')");
        }

        long formatVersion = FieldReader.ReadInt64(ref reader, "formatVersion");
        if (formatVersion != FormatVersion)
        {
            throw SnapshotFormatException.At("formatVersion", $"unknown format version {formatVersion}, this build reads {FormatVersion}");
        }

        options.Security.DepthStep(ref reader);
        var book = new WalletBook
        {
            Version = FieldReader.ReadInt64(ref reader, "version"),
            CreatedAtUnixMs = FieldReader.ReadInt64(ref reader, "createdAtUnixMs"),
            Wallets = FieldReader.ReadList(ref reader, options, WalletRecordFormatter.Instance, "wallets", SnapshotLimits.MaxTokens),
        };

        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return book;
    }
}
