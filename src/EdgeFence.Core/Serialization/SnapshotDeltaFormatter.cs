using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes a <see cref="SnapshotDelta"/> as the array <c>["delta", formatVersion, version, createdAtUnixMs, baseVersion,
/// baseStateHash, tokens, removedTokenHashes]</c>. The leading tag keeps a delta from ever being read as a snapshot
/// (whose first field is a number) or a wallet book, though all three are signed with the same key. Tokens use the
/// snapshot's token layout.
/// </summary>
public sealed class SnapshotDeltaFormatter : IMessagePackFormatter<SnapshotDelta>
{
    /// <summary>The first field of every delta.</summary>
    public const string Tag = "delta";

    /// <summary>The layout this build writes and the only one it reads.</summary>
    public const int FormatVersion = 1;

    private const int FieldCount = 8;

    public static readonly SnapshotDeltaFormatter Instance = new();

    private SnapshotDeltaFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, SnapshotDelta value, MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteArrayHeader(FieldCount);
        writer.Write(Tag);
        writer.Write(FormatVersion);
        writer.Write(value.Version);
        writer.Write(value.CreatedAtUnixMs);
        writer.Write(value.BaseVersion);
        FieldWriter.WriteSha256(ref writer, value.BaseStateHash, "baseStateHash", allowEmpty: false);
        FieldWriter.WriteList(ref writer, value.Tokens, TokenRecordFormatter.Instance, options, "tokens", SnapshotLimits.MaxDeltaTokens);
        var removed = value.RemovedTokenHashes ?? [];
        if (removed.Count > SnapshotLimits.MaxDeltaTokens)
        {
            throw SnapshotFormatException.At("removedTokenHashes", $"more than {SnapshotLimits.MaxDeltaTokens} entries");
        }

        writer.WriteArrayHeader(removed.Count);
        for (int i = 0; i < removed.Count; i++)
        {
            try
            {
                FieldWriter.WriteSha256(ref writer, removed[i], "hash", allowEmpty: false);
            }
            catch (SnapshotFormatException e)
            {
                throw e.Within("removedTokenHashes", i);
            }
        }
    }

    public SnapshotDelta Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int extraFields = FieldReader.ReadObjectHeader(ref reader, "delta", FieldCount);
        if (FieldReader.ReadString(ref reader, "tag") != Tag)
        {
            throw SnapshotFormatException.At("tag", $"not a snapshot delta (expected '{Tag}')");
        }

        long formatVersion = FieldReader.ReadInt64(ref reader, "formatVersion");
        if (formatVersion != FormatVersion)
        {
            throw SnapshotFormatException.At("formatVersion", $"unknown format version {formatVersion}, this build reads {FormatVersion}");
        }

        options.Security.DepthStep(ref reader);

        // Object initializers run in textual order, which here is the wire order.
        var delta = new SnapshotDelta
        {
            Version = FieldReader.ReadInt64(ref reader, "version"),
            CreatedAtUnixMs = FieldReader.ReadInt64(ref reader, "createdAtUnixMs"),
            BaseVersion = FieldReader.ReadInt64(ref reader, "baseVersion"),
            BaseStateHash = FieldReader.ReadSha256(ref reader, "baseStateHash", allowEmpty: false),
            Tokens = TokenRecordFormatter.DeserializeList(ref reader, options, "tokens", SnapshotLimits.MaxDeltaTokens),
            RemovedTokenHashes = ReadHashes(ref reader, "removedTokenHashes"),
        };

        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return delta;
    }

    private static byte[][] ReadHashes(ref MessagePackReader reader, string field)
    {
        int count = FieldReader.ReadArrayHeader(ref reader, field, SnapshotLimits.MaxDeltaTokens);
        var hashes = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            try
            {
                hashes[i] = FieldReader.ReadSha256(ref reader, "hash", allowEmpty: false);
            }
            catch (SnapshotFormatException e)
            {
                throw e.Within(field, i);
            }
        }

        return hashes;
    }
}
