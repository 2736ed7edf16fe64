using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes a <see cref="Snapshot"/> as the array <c>[formatVersion, version, createdAtUnixMs, sites, plans,
/// resources, tokens, stateHash]</c>, where <c>formatVersion</c> is <see cref="FormatVersion"/>. <c>stateHash</c> came
/// later and is written only when set, so a snapshot without it has the bytes it always had.
/// </summary>
/// <remarks>
/// Every object is an array of its fields in a fixed order. A reader skips fields appended after the ones it
/// knows, so a newer writer may add fields at the end without a new format version; removing, reordering or
/// retyping a field needs a new format version, which older readers refuse.
/// </remarks>
public sealed class SnapshotFormatter : IMessagePackFormatter<Snapshot>
{
    /// <summary>The layout this build writes and the only one it reads.</summary>
    public const int FormatVersion = 1;

    private const int RequiredFields = 7;
    private const int FieldCount = 8;

    public static readonly SnapshotFormatter Instance = new();

    private SnapshotFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, Snapshot value, MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool hasStateHash = value.StateHash is { Length: > 0 };
        writer.WriteArrayHeader(hasStateHash ? FieldCount : RequiredFields);
        writer.Write(FormatVersion);
        writer.Write(value.Version);
        writer.Write(value.CreatedAtUnixMs);
        FieldWriter.WriteList(ref writer, value.Sites, SiteFormatter.Instance, options, "sites", SnapshotLimits.MaxEntities);
        FieldWriter.WriteList(ref writer, value.Plans, PlanFormatter.Instance, options, "plans", SnapshotLimits.MaxEntities);
        FieldWriter.WriteList(ref writer, value.Resources, ResourceFormatter.Instance, options, "resources", SnapshotLimits.MaxEntities);
        FieldWriter.WriteList(ref writer, value.Tokens, TokenRecordFormatter.Instance, options, "tokens", SnapshotLimits.MaxTokens);
        if (hasStateHash)
        {
            FieldWriter.WriteSha256(ref writer, value.StateHash, "stateHash", allowEmpty: false);
        }
    }

    public Snapshot Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int count = FieldReader.ReadArrayHeader(ref reader, "snapshot", SnapshotLimits.MaxObjectFields);
        if (count == 0)
        {
            throw SnapshotFormatException.At("snapshot", "empty array, no format version");
        }

        // The version comes before the field count check: a future layout may have fewer fields, and
        // "unknown format version" is the error that tells the operator what to do.
        long formatVersion = FieldReader.ReadInt64(ref reader, "formatVersion");
        if (formatVersion != FormatVersion)
        {
            throw SnapshotFormatException.At("formatVersion", $"unknown format version {formatVersion}, this build reads {FormatVersion}");
        }

        if (count < RequiredFields)
        {
            throw SnapshotFormatException.At("snapshot", $"expected {RequiredFields} fields, found {count}");
        }

        options.Security.DepthStep(ref reader);

        // Object initializers run in textual order, which here is the wire order.
        var snapshot = new Snapshot
        {
            Version = FieldReader.ReadInt64(ref reader, "version"),
            CreatedAtUnixMs = FieldReader.ReadInt64(ref reader, "createdAtUnixMs"),
            Sites = FieldReader.ReadList(ref reader, options, SiteFormatter.Instance, "sites", SnapshotLimits.MaxEntities),
            Plans = FieldReader.ReadList(ref reader, options, PlanFormatter.Instance, "plans", SnapshotLimits.MaxEntities),
            Resources = FieldReader.ReadList(ref reader, options, ResourceFormatter.Instance, "resources", SnapshotLimits.MaxEntities),
            Tokens = TokenRecordFormatter.DeserializeList(ref reader, options, "tokens"),
            StateHash = count > RequiredFields ? FieldReader.ReadSha256(ref reader, "stateHash", allowEmpty: true) : [],
        };

        FieldReader.SkipFields(ref reader, Math.Max(0, count - FieldCount));
        reader.Depth--;
        return snapshot;
    }
}
