using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes a <see cref="Resource"/> as the array <c>[id, siteId, pattern, methods, cost, privatePath]</c>;
/// <c>privatePath</c> may be nil.
/// </summary>
public sealed class ResourceFormatter : IMessagePackFormatter<Resource>
{
    private const int FieldCount = 6;

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
    }

    public Resource Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int extraFields = FieldReader.ReadObjectHeader(ref reader, field: null, FieldCount);
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
        };

        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return resource;
    }
}
