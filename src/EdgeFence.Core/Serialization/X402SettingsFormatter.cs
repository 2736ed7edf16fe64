using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes <see cref="X402Settings"/> as the array <c>[facilitatorUrl, network, asset, payTo, assetName, assetVersion,
/// assetDecimals, currency, maxTimeoutSeconds]</c>.
/// </summary>
public sealed class X402SettingsFormatter : IMessagePackFormatter<X402Settings>
{
    private const int FieldCount = 9;

    public static readonly X402SettingsFormatter Instance = new();

    private X402SettingsFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, X402Settings value, MessagePackSerializerOptions options)
    {
        FieldWriter.RequireObject(value);
        writer.WriteArrayHeader(FieldCount);
        FieldWriter.WriteString(ref writer, value.FacilitatorUrl, "x402.facilitatorUrl");
        FieldWriter.WriteString(ref writer, value.Network, "x402.network");
        FieldWriter.WriteString(ref writer, value.Asset, "x402.asset");
        FieldWriter.WriteString(ref writer, value.PayTo, "x402.payTo");
        FieldWriter.WriteString(ref writer, value.AssetName, "x402.assetName");
        FieldWriter.WriteString(ref writer, value.AssetVersion, "x402.assetVersion");
        writer.Write(value.AssetDecimals);
        FieldWriter.WriteString(ref writer, value.Currency, "x402.currency");
        writer.Write(value.MaxTimeoutSeconds);
    }

    public X402Settings Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int extraFields = FieldReader.ReadObjectHeader(ref reader, "x402", FieldCount);
        options.Security.DepthStep(ref reader);

        // Object initializers run in textual order, which here is the wire order.
        var settings = new X402Settings
        {
            FacilitatorUrl = FieldReader.ReadString(ref reader, "x402.facilitatorUrl"),
            Network = FieldReader.ReadString(ref reader, "x402.network"),
            Asset = FieldReader.ReadString(ref reader, "x402.asset"),
            PayTo = FieldReader.ReadString(ref reader, "x402.payTo"),
            AssetName = FieldReader.ReadString(ref reader, "x402.assetName"),
            AssetVersion = FieldReader.ReadString(ref reader, "x402.assetVersion"),
            AssetDecimals = FieldReader.ReadInt32(ref reader, "x402.assetDecimals"),
            Currency = FieldReader.ReadString(ref reader, "x402.currency"),
            MaxTimeoutSeconds = FieldReader.ReadInt32(ref reader, "x402.maxTimeoutSeconds"),
        };

        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return settings;
    }
}
