using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>Writes a <see cref="ResourcePrice"/> as the array <c>[resourceId, priceMicros]</c>.</summary>
public sealed class ResourcePriceFormatter : IMessagePackFormatter<ResourcePrice>
{
    private const int FieldCount = 2;

    public static readonly ResourcePriceFormatter Instance = new();

    private ResourcePriceFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, ResourcePrice value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(FieldCount);
        FieldWriter.WriteString(ref writer, value.ResourceId, "resourceId");
        writer.Write(value.PriceMicros);
    }

    public ResourcePrice Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int extraFields = FieldReader.ReadObjectHeader(ref reader, field: null, FieldCount);
        options.Security.DepthStep(ref reader);
        var price = new ResourcePrice(
            FieldReader.ReadString(ref reader, "resourceId"),
            FieldReader.ReadInt64(ref reader, "priceMicros"));
        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return price;
    }
}
