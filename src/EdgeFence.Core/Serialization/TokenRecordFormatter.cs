using EdgeFence.Core.Model;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes a <see cref="TokenRecord"/> as the array
/// <c>[id, siteId, planId, customer, hash, expiresAtUnix, revoked, suspended]</c>. <c>suspended</c> came later and
/// is written only when true: a snapshot of a million tokens stays a byte per token smaller, and an edge that predates
/// it reads every token that is not suspended exactly as before.
/// </summary>
public sealed class TokenRecordFormatter : IMessagePackFormatter<TokenRecord>
{
    private const int RequiredFields = 7;
    private const int FieldCount = 8;

    public static readonly TokenRecordFormatter Instance = new();

    private TokenRecordFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, TokenRecord value, MessagePackSerializerOptions options)
    {
        FieldWriter.RequireObject(value);
        writer.WriteArrayHeader(value.Suspended ? FieldCount : RequiredFields);
        FieldWriter.WriteString(ref writer, value.Id, "id");
        FieldWriter.WriteString(ref writer, value.SiteId, "siteId");
        FieldWriter.WriteString(ref writer, value.PlanId, "planId");
        FieldWriter.WriteString(ref writer, value.Customer, "customer");
        FieldWriter.WriteSha256(ref writer, value.Hash, "hash", allowEmpty: false);
        writer.Write(value.ExpiresAtUnix);
        writer.Write(value.Revoked);
        if (value.Suspended)
        {
            writer.Write(true);
        }
    }

    public TokenRecord Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        Deserialize(ref reader, options, previous: null);

    /// <summary>
    /// Reads the token list. Each token shares its site id, plan id and customer strings with the token
    /// before it when they are equal, which they mostly are: tokens come grouped by site and plan.
    /// </summary>
    internal static TokenRecord[] DeserializeList(ref MessagePackReader reader, MessagePackSerializerOptions options, string field, int maxCount = SnapshotLimits.MaxTokens)
    {
        int count = FieldReader.ReadArrayHeader(ref reader, field, maxCount);
        if (count == 0)
        {
            return [];
        }

        var tokens = new TokenRecord[count];
        TokenRecord? previous = null;
        for (int i = 0; i < count; i++)
        {
            try
            {
                previous = tokens[i] = Deserialize(ref reader, options, previous);
            }
            catch (SnapshotFormatException e)
            {
                throw e.Within(field, i);
            }
        }

        return tokens;
    }

    private static TokenRecord Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options, TokenRecord? previous)
    {
        int present = FieldReader.ReadObjectHeader(ref reader, field: null, RequiredFields, FieldCount, out var extraFields);
        options.Security.DepthStep(ref reader);

        // Object initializers run in textual order, which here is the wire order.
        var token = new TokenRecord
        {
            Id = FieldReader.ReadString(ref reader, "id"),
            SiteId = FieldReader.ReadString(ref reader, "siteId", previous?.SiteId),
            PlanId = FieldReader.ReadString(ref reader, "planId", previous?.PlanId),
            Customer = FieldReader.ReadString(ref reader, "customer", previous?.Customer),
            Hash = FieldReader.ReadSha256(ref reader, "hash", allowEmpty: false),
            ExpiresAtUnix = FieldReader.ReadInt64(ref reader, "expiresAtUnix"),
            Revoked = FieldReader.ReadBoolean(ref reader, "revoked"),
            Suspended = present > 7 && FieldReader.ReadBoolean(ref reader, "suspended"),
        };

        FieldReader.SkipFields(ref reader, extraFields);
        reader.Depth--;
        return token;
    }
}
