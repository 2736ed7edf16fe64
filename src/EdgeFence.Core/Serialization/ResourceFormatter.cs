using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes a <see cref="Resource"/> as the array <c>[id, siteId, pattern, methods, cost, privatePath, priceMicros,
/// currency, payment, kind, mcpTool, openAiPrices, openAiDefaultMaxTokens, openAiUserHeader, openAiBalanceAsMessage]</c>;
/// <c>privatePath</c>, <c>mcpTool</c> and <c>openAiUserHeader</c> may be nil. The last nine came later: a resource
/// without them is a free plain-HTTP resource paid by token, with no OpenAI settings.
/// </summary>
public sealed class ResourceFormatter : IMessagePackFormatter<Resource>
{
    private const int RequiredFields = 6;
    private const int FieldCount = 16;

    public static readonly ResourceFormatter Instance = new();

    private ResourceFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, Resource value, MessagePackSerializerOptions options)
    {
        FieldWriter.RequireObject(value);
        writer.WriteArrayHeader(FieldCount);
        FieldWriter.WriteString(ref writer, value.Id, "id");
        FieldWriter.WriteString(ref writer, value.SiteId, "siteId");
        FieldWriter.WriteString(ref writer, value.Pattern, "pattern");
        FieldWriter.WriteStringList(ref writer, value.Methods, "methods");
        writer.Write(value.Cost);
        FieldWriter.WriteNullableString(ref writer, value.PrivatePath, "privatePath");
        writer.Write(value.PriceMicros);
        FieldWriter.WriteString(ref writer, value.Currency, "currency");
        writer.Write((byte)FieldWriter.RequireDefined(value.Payment, "payment"));
        writer.Write((byte)FieldWriter.RequireDefined(value.Kind, "kind"));
        FieldWriter.WriteNullableString(ref writer, value.McpTool, "mcpTool");
        FieldWriter.WriteList(ref writer, value.OpenAiPrices, OpenAiModelPriceFormatter.Instance, options, "openAiPrices", SnapshotLimits.MaxListLength);
        writer.Write(value.OpenAiDefaultMaxTokens);
        FieldWriter.WriteNullableString(ref writer, value.OpenAiUserHeader, "openAiUserHeader");
        writer.Write(value.OpenAiBalanceAsMessage);
        FieldWriter.WriteNullableString(ref writer, value.OpenAiOriginUsageHeader, "openAiOriginUsageHeader");
    }

    public Resource Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int present = FieldReader.ReadObjectHeader(ref reader, field: null, RequiredFields, FieldCount, out var extraFields);
        options.Security.DepthStep(ref reader);

        // Object initializers run in textual order, which here is the wire order.
        var resource = new Resource
        {
            Id = FieldReader.ReadString(ref reader, "id"),
            SiteId = FieldReader.ReadString(ref reader, "siteId"),
            Pattern = FieldReader.ReadString(ref reader, "pattern"),
            Methods = FieldReader.ReadStringList(ref reader, "methods"),
            Cost = FieldReader.ReadInt64(ref reader, "cost"),
            PrivatePath = FieldReader.ReadNullableString(ref reader, "privatePath"),
            PriceMicros = present > 6 ? FieldReader.ReadInt64(ref reader, "priceMicros") : 0,
            Currency = present > 7 ? FieldReader.ReadString(ref reader, "currency") : "USD",
            Payment = present > 8 ? FieldReader.ReadDefinedEnum<ResourcePayment>(ref reader, "payment") : ResourcePayment.Token,
            Kind = present > 9 ? FieldReader.ReadDefinedEnum<ResourceKind>(ref reader, "kind") : ResourceKind.Http,
            McpTool = present > 10 ? FieldReader.ReadNullableString(ref reader, "mcpTool") : null,
            OpenAiPrices = present > 11 ? FieldReader.ReadList(ref reader, options, OpenAiModelPriceFormatter.Instance, "openAiPrices", SnapshotLimits.MaxListLength) : [],
            OpenAiDefaultMaxTokens = present > 12 ? FieldReader.ReadInt32(ref reader, "openAiDefaultMaxTokens") : 0,
            OpenAiUserHeader = present > 13 ? FieldReader.ReadNullableString(ref reader, "openAiUserHeader") : null,
            OpenAiBalanceAsMessage = present > 14 && FieldReader.ReadBoolean(ref reader, "openAiBalanceAsMessage"),
            OpenAiOriginUsageHeader = present > 15 ? FieldReader.ReadNullableString(ref reader, "openAiOriginUsageHeader") : null,
        };

        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return resource;
    }
}
