using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>Writes an <see cref="OpenAiModelPrice"/> as the array <c>[model, inputMicrosPer1K, outputMicrosPer1K]</c>.</summary>
public sealed class OpenAiModelPriceFormatter : IMessagePackFormatter<OpenAiModelPrice>
{
    private const int FieldCount = 3;

    public static readonly OpenAiModelPriceFormatter Instance = new();

    private OpenAiModelPriceFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, OpenAiModelPrice value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(FieldCount);
        FieldWriter.WriteString(ref writer, value.Model, "model");
        writer.Write(value.InputMicrosPer1K);
        writer.Write(value.OutputMicrosPer1K);
    }

    public OpenAiModelPrice Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int extraFields = FieldReader.ReadObjectHeader(ref reader, field: null, FieldCount);
        options.Security.DepthStep(ref reader);
        var price = new OpenAiModelPrice(
            FieldReader.ReadString(ref reader, "model"),
            FieldReader.ReadInt64(ref reader, "inputMicrosPer1K"),
            FieldReader.ReadInt64(ref reader, "outputMicrosPer1K"));
        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return price;
    }
}
