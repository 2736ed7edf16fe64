using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Strict, typed reads for the snapshot formatters. Each read checks the MessagePack type before reading,
/// so a mismatch names the field instead of surfacing as MessagePack's generic "unexpected code".
/// </summary>
internal static class FieldReader
{
    // Invalid UTF-8 means the bytes were damaged; decoding it to U+FFFD would quietly turn it into a host
    // name or path pattern nobody configured.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads the array header of an object that this build knows as <paramref name="knownFields"/> fields and
    /// returns how many fields a newer writer appended after them, which the caller skips.
    /// </summary>
    public static int ReadObjectHeader(ref MessagePackReader reader, string? field, int knownFields)
    {
        int count = ReadArrayHeader(ref reader, field, SnapshotLimits.MaxObjectFields);
        if (count < knownFields)
        {
            throw SnapshotFormatException.At(field, $"expected {knownFields} fields, found {count}");
        }

        return count - knownFields;
    }

    /// <summary>
    /// Reads the array header of an object whose first <paramref name="requiredFields"/> fields every writer
    /// wrote and whose later ones, up to <paramref name="knownFields"/>, were appended by later versions (an
    /// older snapshot, persisted at an edge, lacks them; they read as their defaults). Returns the number of
    /// known fields present; <paramref name="extraFields"/> is how many unknown ones follow, which the caller skips.
    /// </summary>
    public static int ReadObjectHeader(ref MessagePackReader reader, string? field, int requiredFields, int knownFields, out int extraFields)
    {
        int count = ReadObjectHeader(ref reader, field, requiredFields) + requiredFields;
        extraFields = Math.Max(0, count - knownFields);
        return count - extraFields;
    }

    /// <summary>Skips <paramref name="count"/> values of any type: the fields a newer writer appended.</summary>
    public static void SkipFields(ref MessagePackReader reader, int count)
    {
        // MessagePackReader.Skip takes a forged 32-bit length for a negative count, which either throws from
        // deep inside it or quietly ends the skip early and accepts the junk. So containers are walked here,
        // with a counter rather than recursion (deep nesting cannot overflow the stack), and only scalars
        // whose length has been checked are left to Skip.
        long pending = count;
        while (pending > 0)
        {
            pending--;
            byte code = reader.NextCode;
            switch (MessagePackCode.ToMessagePackType(code))
            {
                case MessagePackType.Array:
                    pending += ReadContainerCount(ref reader, reader.TryReadArrayHeader(out int elements), elements, bytesPerItem: 1);
                    break;
                case MessagePackType.Map:
                    pending += 2 * ReadContainerCount(ref reader, reader.TryReadMapHeader(out int entries), entries, bytesPerItem: 2);
                    break;
                default:
                    if ((code is MessagePackCode.Str32 or MessagePackCode.Bin32 or MessagePackCode.Ext32) && PeekLength32(ref reader) > Remaining(ref reader))
                    {
                        throw Truncated();
                    }

                    reader.Skip();
                    break;
            }
        }
    }

    public static int ReadArrayHeader(ref MessagePackReader reader, string? field, int maxCount)
    {
        ExpectType(ref reader, field, MessagePackType.Array);

        // An array32 length above int.MaxValue comes back negative; the unsigned compare refuses it too.
        if (!reader.TryReadArrayHeader(out int count))
        {
            throw Truncated();
        }

        if ((uint)count > (uint)maxCount)
        {
            throw SnapshotFormatException.At(field, $"{(uint)count} elements exceed the limit of {maxCount}");
        }

        // Every element takes at least one byte: a count the rest of the input cannot hold is refused
        // before anything is allocated for it.
        if (count > Remaining(ref reader))
        {
            throw Truncated();
        }

        return count;
    }

    public static T[] ReadList<T>(
        ref MessagePackReader reader,
        MessagePackSerializerOptions options,
        IMessagePackFormatter<T> formatter,
        string field,
        int maxCount)
    {
        int count = ReadArrayHeader(ref reader, field, maxCount);
        if (count == 0)
        {
            return [];
        }

        var items = new T[count];
        for (int i = 0; i < count; i++)
        {
            try
            {
                items[i] = formatter.Deserialize(ref reader, options);
            }
            catch (SnapshotFormatException e)
            {
                throw e.Within(field, i);
            }
        }

        return items;
    }

    public static string[] ReadStringList(ref MessagePackReader reader, string field)
    {
        int count = ReadArrayHeader(ref reader, field, SnapshotLimits.MaxListLength);
        if (count == 0)
        {
            return [];
        }

        var items = new string[count];
        for (int i = 0; i < count; i++)
        {
            try
            {
                items[i] = ReadString(ref reader, field: null);
            }
            catch (SnapshotFormatException e)
            {
                throw e.Within(field, i);
            }
        }

        return items;
    }

    /// <summary>
    /// Reads a string. When its bytes spell <paramref name="reuse"/>, returns that instance instead of a new
    /// copy: a million tokens carry a handful of distinct site and plan ids, and sharing them saves both
    /// the decoding and tens of megabytes of heap.
    /// </summary>
    public static string ReadString(ref MessagePackReader reader, string? field, string? reuse = null)
    {
        byte code = reader.NextCode;
        if (code == MessagePackCode.Str32)
        {
            // Only str32 can declare more than the limit, or a length that reads back negative.
            if (PeekLength32(ref reader) > SnapshotLimits.MaxStringBytes)
            {
                throw SnapshotFormatException.At(field, $"string longer than {SnapshotLimits.MaxStringBytes} bytes");
            }
        }
        else if (MessagePackCode.ToMessagePackType(code) != MessagePackType.String)
        {
            throw Expected(field, MessagePackType.String, code);
        }

        try
        {
            if (reader.TryReadStringSpan(out ReadOnlySpan<byte> span))
            {
                return reuse is not null && Ascii.Equals(span, reuse) ? reuse : StrictUtf8.GetString(span);
            }

            // A string split across segments of a multi-segment input.
            ReadOnlySequence<byte> sequence = reader.ReadStringSequence().GetValueOrDefault();
            return StrictUtf8.GetString(sequence);
        }
        catch (DecoderFallbackException)
        {
            throw SnapshotFormatException.At(field, "invalid UTF-8");
        }
    }

    public static string? ReadNullableString(ref MessagePackReader reader, string field) =>
        reader.TryReadNil() ? null : ReadString(ref reader, field);

    public static byte[] ReadBinary(ref MessagePackReader reader, string field)
    {
        ExpectType(ref reader, field, MessagePackType.Binary);
        if (reader.NextCode == MessagePackCode.Bin32 && PeekLength32(ref reader) > SnapshotLimits.MaxBinaryBytes)
        {
            throw SnapshotFormatException.At(field, $"binary longer than {SnapshotLimits.MaxBinaryBytes} bytes");
        }

        ReadOnlySequence<byte> bytes = reader.ReadBytes().GetValueOrDefault();
        return bytes.IsEmpty ? [] : bytes.ToArray();
    }

    /// <summary>A SHA-256 hash: exactly 32 bytes, or, where <paramref name="allowEmpty"/>, none for "not set".</summary>
    public static byte[] ReadSha256(ref MessagePackReader reader, string field, bool allowEmpty)
    {
        byte[] hash = ReadBinary(ref reader, field);
        if (hash.Length != 32 && !(allowEmpty && hash.Length == 0))
        {
            throw SnapshotFormatException.At(field, $"expected a 32-byte SHA-256 hash, found {hash.Length} bytes");
        }

        return hash;
    }

    public static long ReadInt64(ref MessagePackReader reader, string field)
    {
        ExpectType(ref reader, field, MessagePackType.Integer);
        try
        {
            return reader.ReadInt64();
        }
        catch (OverflowException)
        {
            throw SnapshotFormatException.At(field, "integer out of range");
        }
    }

    public static long? ReadNullableInt64(ref MessagePackReader reader, string field) =>
        reader.TryReadNil() ? null : ReadInt64(ref reader, field);

    public static int ReadInt32(ref MessagePackReader reader, string field)
    {
        long value = ReadInt64(ref reader, field);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw SnapshotFormatException.At(field, "integer out of range");
    }

    public static int? ReadNullableInt32(ref MessagePackReader reader, string field) =>
        reader.TryReadNil() ? null : ReadInt32(ref reader, field);

    /// <summary>The byte value of an enum; the caller checks that the value is defined.</summary>
    public static byte ReadEnumByte(ref MessagePackReader reader, string field)
    {
        long value = ReadInt64(ref reader, field);
        return value is >= 0 and <= byte.MaxValue
            ? (byte)value
            : throw SnapshotFormatException.At(field, $"unknown value {value}");
    }

    /// <summary>A byte-backed enum whose value this build defines; any other is refused, naming the field.</summary>
    public static T ReadDefinedEnum<T>(ref MessagePackReader reader, string field)
        where T : struct, Enum
    {
        var value = System.Runtime.CompilerServices.Unsafe.BitCast<byte, T>(ReadEnumByte(ref reader, field));
        return Enum.IsDefined(value) ? value : throw SnapshotFormatException.At(field, $"unknown value {value}");
    }

    public static bool ReadBoolean(ref MessagePackReader reader, string field)
    {
        ExpectType(ref reader, field, MessagePackType.Boolean);
        return reader.ReadBoolean();
    }

    public static SnapshotFormatException Truncated() => new("snapshot is truncated");

    private static void ExpectType(ref MessagePackReader reader, string? field, MessagePackType expected)
    {
        byte code = reader.NextCode;
        if (MessagePackCode.ToMessagePackType(code) != expected)
        {
            throw Expected(field, expected, code);
        }
    }

    private static SnapshotFormatException Expected(string? field, MessagePackType expected, byte foundCode) =>
        SnapshotFormatException.At(field, $"expected {Describe(expected)}, found {Describe(MessagePackCode.ToMessagePackType(foundCode))}");

    private static string Describe(MessagePackType type) => type switch
    {
        MessagePackType.Integer => "integer",
        MessagePackType.Nil => "nil",
        MessagePackType.Boolean => "boolean",
        MessagePackType.Float => "float",
        MessagePackType.String => "string",
        MessagePackType.Binary => "binary",
        MessagePackType.Array => "array",
        MessagePackType.Map => "map",
        MessagePackType.Extension => "extension",
        _ => "an invalid MessagePack code",
    };

    private static long ReadContainerCount(ref MessagePackReader reader, bool headerRead, int count, int bytesPerItem)
    {
        // The unsigned view turns a forged length above int.MaxValue back into the huge number it claims.
        if (!headerRead || (uint)count > Remaining(ref reader) / bytesPerItem)
        {
            throw Truncated();
        }

        return count;
    }

    private static long Remaining(ref MessagePackReader reader) => reader.Sequence.Length - reader.Consumed;

    /// <summary>The length of the str32 or bin32 header at the reader's position, without consuming it.</summary>
    private static uint PeekLength32(ref MessagePackReader reader)
    {
        ReadOnlySequence<byte> rest = reader.Sequence.Slice(reader.Position);
        if (rest.Length < 5)
        {
            throw Truncated();
        }

        Span<byte> header = stackalloc byte[5];
        rest.Slice(0, 5).CopyTo(header);
        return BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
    }
}
