using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes a <see cref="Site"/> as the array <c>[id, name, slug, originUrl, hosts, hmacSecret, originKeyHash,
/// staticHeaders, staticQuery, denyByDefault, topUpUrl, x402, mcpFilterTools]</c>. The secret and the hash are
/// binary; the hash is empty or 32 bytes. The last three came later: topUpUrl and x402 may be nil, mcpFilterTools
/// is false when absent.
/// </summary>
public sealed class SiteFormatter : IMessagePackFormatter<Site>
{
    private const int RequiredFields = 10;
    private const int FieldCount = 13;

    public static readonly SiteFormatter Instance = new();

    private SiteFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, Site value, MessagePackSerializerOptions options)
    {
        FieldWriter.RequireObject(value);
        writer.WriteArrayHeader(FieldCount);
        FieldWriter.WriteString(ref writer, value.Id, "id");
        FieldWriter.WriteString(ref writer, value.Name, "name");
        FieldWriter.WriteString(ref writer, value.Slug, "slug");
        FieldWriter.WriteString(ref writer, value.OriginUrl, "originUrl");
        FieldWriter.WriteStringList(ref writer, value.Hosts, "hosts");
        FieldWriter.WriteBinary(ref writer, value.HmacSecret, "hmacSecret");
        FieldWriter.WriteSha256(ref writer, value.OriginKeyHash, "originKeyHash", allowEmpty: true);
        FieldWriter.WriteList(ref writer, value.StaticHeaders, NameValueFormatter.Instance, options, "staticHeaders", SnapshotLimits.MaxListLength);
        FieldWriter.WriteList(ref writer, value.StaticQuery, NameValueFormatter.Instance, options, "staticQuery", SnapshotLimits.MaxListLength);
        writer.Write(value.DenyByDefault);
        FieldWriter.WriteNullableString(ref writer, value.TopUpUrl, "topUpUrl");
        if (value.X402 is null)
        {
            writer.WriteNil();
        }
        else
        {
            X402SettingsFormatter.Instance.Serialize(ref writer, value.X402, options);
        }

        writer.Write(value.McpFilterTools);
    }

    public Site Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int present = FieldReader.ReadObjectHeader(ref reader, field: null, RequiredFields, FieldCount, out var extraFields);
        options.Security.DepthStep(ref reader);

        // Object initializers run in textual order, which here is the wire order.
        var site = new Site
        {
            Id = FieldReader.ReadString(ref reader, "id"),
            Name = FieldReader.ReadString(ref reader, "name"),
            Slug = FieldReader.ReadString(ref reader, "slug"),
            OriginUrl = FieldReader.ReadString(ref reader, "originUrl"),
            Hosts = FieldReader.ReadStringList(ref reader, "hosts"),
            HmacSecret = FieldReader.ReadBinary(ref reader, "hmacSecret"),
            OriginKeyHash = FieldReader.ReadSha256(ref reader, "originKeyHash", allowEmpty: true),
            StaticHeaders = FieldReader.ReadList(ref reader, options, NameValueFormatter.Instance, "staticHeaders", SnapshotLimits.MaxListLength),
            StaticQuery = FieldReader.ReadList(ref reader, options, NameValueFormatter.Instance, "staticQuery", SnapshotLimits.MaxListLength),
            DenyByDefault = FieldReader.ReadBoolean(ref reader, "denyByDefault"),
            TopUpUrl = present > 10 ? FieldReader.ReadNullableString(ref reader, "topUpUrl") : null,
            X402 = present > 11 && !reader.TryReadNil() ? X402SettingsFormatter.Instance.Deserialize(ref reader, options) : null,
            McpFilterTools = present > 12 && FieldReader.ReadBoolean(ref reader, "mcpFilterTools"),
        };

        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return site;
    }
}
