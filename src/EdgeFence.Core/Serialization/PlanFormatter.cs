using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes a <see cref="Plan"/> as the array <c>[id, siteId, name, quotaUnits, quotaPeriod, quotaMode,
/// rateLimitRequests, rateLimitWindowSeconds, priceMicros, currency, resourceIds, billing, resourcePrices]</c>.
/// <c>quotaUnits</c> and <c>rateLimitRequests</c> may be nil; the enums are their byte values. The last two came
/// later: a plan without them is a subscription with no prices of its own.
/// </summary>
public sealed class PlanFormatter : IMessagePackFormatter<Plan>
{
    private const int RequiredFields = 11;
    private const int FieldCount = 13;

    public static readonly PlanFormatter Instance = new();

    private PlanFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, Plan value, MessagePackSerializerOptions options)
    {
        FieldWriter.RequireObject(value);
        if (!Enum.IsDefined(value.QuotaPeriod))
        {
            throw SnapshotFormatException.At("quotaPeriod", $"unknown value {(byte)value.QuotaPeriod}");
        }

        if (!Enum.IsDefined(value.QuotaMode))
        {
            throw SnapshotFormatException.At("quotaMode", $"unknown value {(byte)value.QuotaMode}");
        }

        writer.WriteArrayHeader(FieldCount);
        FieldWriter.WriteString(ref writer, value.Id, "id");
        FieldWriter.WriteString(ref writer, value.SiteId, "siteId");
        FieldWriter.WriteString(ref writer, value.Name, "name");
        WriteNullable(ref writer, value.QuotaUnits);
        writer.Write((byte)value.QuotaPeriod);
        writer.Write((byte)value.QuotaMode);
        WriteNullable(ref writer, value.RateLimitRequests);
        writer.Write(value.RateLimitWindowSeconds);
        writer.Write(value.PriceMicros);
        FieldWriter.WriteString(ref writer, value.Currency, "currency");
        FieldWriter.WriteStringList(ref writer, value.ResourceIds, "resourceIds");
        writer.Write((byte)FieldWriter.RequireDefined(value.Billing, "billing"));
        FieldWriter.WriteList(ref writer, value.ResourcePrices, ResourcePriceFormatter.Instance, options, "resourcePrices", SnapshotLimits.MaxListLength);
    }

    public Plan Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int present = FieldReader.ReadObjectHeader(ref reader, field: null, RequiredFields, FieldCount, out var extraFields);
        options.Security.DepthStep(ref reader);

        // Object initializers run in textual order, which here is the wire order.
        var plan = new Plan
        {
            Id = FieldReader.ReadString(ref reader, "id"),
            SiteId = FieldReader.ReadString(ref reader, "siteId"),
            Name = FieldReader.ReadString(ref reader, "name"),
            QuotaUnits = FieldReader.ReadNullableInt64(ref reader, "quotaUnits"),
            QuotaPeriod = ReadQuotaPeriod(ref reader),
            QuotaMode = ReadQuotaMode(ref reader),
            RateLimitRequests = FieldReader.ReadNullableInt32(ref reader, "rateLimitRequests"),
            RateLimitWindowSeconds = FieldReader.ReadInt32(ref reader, "rateLimitWindowSeconds"),
            PriceMicros = FieldReader.ReadInt64(ref reader, "priceMicros"),
            Currency = FieldReader.ReadString(ref reader, "currency"),
            ResourceIds = FieldReader.ReadStringList(ref reader, "resourceIds"),
            Billing = present > 11 ? FieldReader.ReadDefinedEnum<PlanBilling>(ref reader, "billing") : PlanBilling.Subscription,
            ResourcePrices = present > 12 ? FieldReader.ReadList(ref reader, options, ResourcePriceFormatter.Instance, "resourcePrices", SnapshotLimits.MaxListLength) : [],
        };

        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return plan;
    }

    private static QuotaPeriod ReadQuotaPeriod(ref MessagePackReader reader)
    {
        var period = (QuotaPeriod)FieldReader.ReadEnumByte(ref reader, "quotaPeriod");
        return Enum.IsDefined(period) ? period : throw SnapshotFormatException.At("quotaPeriod", $"unknown value {(byte)period}");
    }

    private static QuotaMode ReadQuotaMode(ref MessagePackReader reader)
    {
        var mode = (QuotaMode)FieldReader.ReadEnumByte(ref reader, "quotaMode");
        return Enum.IsDefined(mode) ? mode : throw SnapshotFormatException.At("quotaMode", $"unknown value {(byte)mode}");
    }

    private static void WriteNullable(ref MessagePackWriter writer, long? value)
    {
        if (value is long number)
        {
            writer.Write(number);
        }
        else
        {
            writer.WriteNil();
        }
    }
}
