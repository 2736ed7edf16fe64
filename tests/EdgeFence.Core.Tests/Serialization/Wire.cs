using System.Buffers;
using System.Collections;
using MessagePack;

namespace EdgeFence.Core.Tests.Serialization;

/// <summary>
/// Writes MessagePack from a tree of plain values (null, bool, int, long, ulong, string, byte[],
/// object?[] for arrays, IDictionary for maps), so tests can spell out malformed snapshots field by field.
/// </summary>
internal static class Wire
{
    public static byte[] Encode(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A valid snapshot tree: one of each entity.</summary>
    public static object?[] Snapshot() => [1, 7L, 0L, new object?[] { Site() }, new object?[] { Plan() }, new object?[] { Resource() }, new object?[] { Token() }];

    /// <summary>A site with every field this build knows (top-up URL and x402 settings nil).</summary>
    public static object?[] Site() => Append(FirstWaveSite(), null, null, false);

    /// <summary>A site as the first layout wrote it, before prices: no top-up URL, no x402 settings.</summary>
    public static object?[] FirstWaveSite() =>
        ["s1", "Site", "site", "http://origin", new object?[] { "api.example" }, new byte[] { 1, 2 }, Array.Empty<byte>(), new object?[] { NameValue() }, Array.Empty<object?>(), false];

    public static object?[] NameValue() => ["X-Key", "v"];

    /// <summary>A plan with every field this build knows (subscription billing, no prices of its own).</summary>
    public static object?[] Plan() => Append(FirstWavePlan(), 0, Array.Empty<object?>());

    /// <summary>A plan as the first layout wrote it: no billing, no resource prices.</summary>
    public static object?[] FirstWavePlan() => ["p1", "s1", "Free", 100L, 3, 0, null, 60, 0L, "USD", Array.Empty<object?>()];

    /// <summary>A resource with every field this build knows (free, paid by token).</summary>
    public static object?[] Resource() => Append(FirstWaveResource(), 0L, "USD", 0, 0, null, Array.Empty<object?>(), 0, null, false);

    /// <summary>A resource as the first layout wrote it: no price, currency or payment.</summary>
    public static object?[] FirstWaveResource() => ["r1", "s1", "/api/*", new object?[] { "GET" }, 1L, null];

    public static object?[] Token() => ["t1", "s1", "p1", "c1", new byte[32], 0L, false];

    public static object?[] Append(object?[] fields, params object?[] extra) => [.. fields, .. extra];

    private static void Write(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                break;
            case bool b:
                writer.Write(b);
                break;
            case int i:
                writer.Write(i);
                break;
            case long l:
                writer.Write(l);
                break;
            case ulong u:
                writer.Write(u);
                break;
            case string s:
                writer.Write(s);
                break;
            case byte[] bytes:
                writer.Write(bytes);
                break;
            case object?[] array:
                writer.WriteArrayHeader(array.Length);
                foreach (object? item in array)
                {
                    Write(ref writer, item);
                }

                break;
            case IDictionary map:
                writer.WriteMapHeader(map.Count);
                foreach (DictionaryEntry entry in map)
                {
                    Write(ref writer, entry.Key);
                    Write(ref writer, entry.Value);
                }

                break;
            default:
                throw new ArgumentException($"Wire cannot write {value.GetType()}", nameof(value));
        }
    }
}
