using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>Writes a <see cref="WalletRecord"/> as the array <c>[siteId, customer, currency, creditedMicros]</c>.</summary>
public sealed class WalletRecordFormatter : IMessagePackFormatter<WalletRecord>
{
    private const int FieldCount = 4;

    public static readonly WalletRecordFormatter Instance = new();

    private WalletRecordFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, WalletRecord value, MessagePackSerializerOptions options)
    {
        FieldWriter.RequireObject(value);
        writer.WriteArrayHeader(FieldCount);
        FieldWriter.WriteString(ref writer, value.SiteId, "siteId");
        FieldWriter.WriteString(ref writer, value.Customer, "customer");
        FieldWriter.WriteString(ref writer, value.Currency, "currency");
        writer.Write(value.CreditedMicros);
    }

    public WalletRecord Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int extraFields = FieldReader.ReadObjectHeader(ref reader, field: null, FieldCount);
        options.Security.DepthStep(ref reader);
        var wallet = new WalletRecord(
            FieldReader.ReadString(ref reader, "siteId"),
            FieldReader.ReadString(ref reader, "customer"),
            FieldReader.ReadString(ref reader, "currency"),
            FieldReader.ReadInt64(ref reader, "creditedMicros"));
        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return wallet;
    }
}
