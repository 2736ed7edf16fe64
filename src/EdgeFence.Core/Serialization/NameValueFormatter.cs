using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>Writes a <see cref="NameValue"/> as the array <c>[name, value]</c>.</summary>
public sealed class NameValueFormatter : IMessagePackFormatter<NameValue>
{
    private const int FieldCount = 2;

    public static readonly NameValueFormatter Instance = new();

    private NameValueFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, NameValue value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(FieldCount);
        FieldWriter.WriteString(ref writer, value.Name, "name");
        FieldWriter.WriteString(ref writer, value.Value, "value");
    }

    public NameValue Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int extraFields = FieldReader.ReadObjectHeader(ref reader, field: null, FieldCount);
        options.Security.DepthStep(ref reader);
        var nameValue = new NameValue(
            FieldReader.ReadString(ref reader, "name"),
            FieldReader.ReadString(ref reader, "value"));
        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return nameValue;
    }
}
