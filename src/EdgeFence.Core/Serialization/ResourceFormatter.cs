using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes a <see cref="Resource"/> as the array <c>[id, siteId, pattern, methods, cost, privatePath, priceMicros,
/// currency, payment, kind, mcpTool]</c>; <c>privatePath</c> and <c>mcpTool</c> may be nil. The last five came later: a
/// resource without them is a free plain-HTTP resource paid by token.
/// </summary>
public sealed class ResourceFormatter : IMessagePackFormatter<Resource>
{
    private const int RequiredFields = 6;
    private const int FieldCount = 11;

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
        };

        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return resource;
    }
}
