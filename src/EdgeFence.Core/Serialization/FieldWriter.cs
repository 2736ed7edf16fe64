using System.Text;
using MessagePack;
using MessagePack.Formatters;

namespace EdgeFence.Core.Serialization;

/// <summary>
/// Writes for the snapshot formatters that refuse, as a <see cref="SnapshotFormatException"/> naming the
/// field, anything <see cref="FieldReader"/> would refuse: a writer must never produce a snapshot that
/// every edge rejects.
/// </summary>
internal static class FieldWriter
{
    public static void WriteString(ref MessagePackWriter writer, string? value, string? field)
    {
        if (value is null)
        {
            throw SnapshotFormatException.At(field, "required, found null");
        }

        // Cheap length test first: UTF-8 needs at most three bytes per UTF-16 char.
        if (value.Length > SnapshotLimits.MaxStringBytes / 3 && Encoding.UTF8.GetByteCount(value) > SnapshotLimits.MaxStringBytes)
        {
            throw SnapshotFormatException.At(field, $"string longer than {SnapshotLimits.MaxStringBytes} bytes");
        }

        writer.Write(value);
    }

    public static void WriteNullableString(ref MessagePackWriter writer, string? value, string field)
    {
        if (value is null)
        {
            writer.WriteNil();
        }
        else
        {
            WriteString(ref writer, value, field);
        }
    }

    public static void WriteBinary(ref MessagePackWriter writer, byte[]? value, string field)
    {
        if (value is null)
        {
            throw SnapshotFormatException.At(field, "required, found null");
        }

        if (value.Length > SnapshotLimits.MaxBinaryBytes)
        {
            throw SnapshotFormatException.At(field, $"binary longer than {SnapshotLimits.MaxBinaryBytes} bytes");
        }

        writer.Write(value);
    }

    public static void WriteSha256(ref MessagePackWriter writer, byte[]? value, string field, bool allowEmpty)
    {
        if (value is not null && value.Length != 32 && !(allowEmpty && value.Length == 0))
        {
            throw SnapshotFormatException.At(field, $"expected a 32-byte SHA-256 hash, found {value.Length} bytes");
        }

        WriteBinary(ref writer, value, field);
    }

    public static void WriteStringList(ref MessagePackWriter writer, IReadOnlyList<string>? values, string field)
    {
        int count = WriteListHeader(ref writer, values, field, SnapshotLimits.MaxListLength);
        for (int i = 0; i < count; i++)
        {
            try
            {
                WriteString(ref writer, values![i], field: null);
            }
            catch (SnapshotFormatException e)
            {
                throw e.Within(field, i);
            }
        }
    }

    public static void WriteList<T>(
        ref MessagePackWriter writer,
        IReadOnlyList<T>? values,
        IMessagePackFormatter<T> formatter,
        MessagePackSerializerOptions options,
        string field,
        int maxCount)
    {
        int count = WriteListHeader(ref writer, values, field, maxCount);
        for (int i = 0; i < count; i++)
        {
            try
            {
                formatter.Serialize(ref writer, values![i], options);
            }
            catch (SnapshotFormatException e)
            {
                throw e.Within(field, i);
            }
        }
    }

    /// <summary>Refuses an enum value this build does not define: no reader would accept it.</summary>
    public static T RequireDefined<T>(T value, string field)
        where T : struct, Enum
        => Enum.IsDefined(value) ? value : throw SnapshotFormatException.At(field, $"unknown value {value}");

    /// <summary>Refuses a null object inside a list: the reader has no nil form for any entity.</summary>
    public static void RequireObject(object? value)
    {
        if (value is null)
        {
            throw SnapshotFormatException.At(field: null, "required, found null");
        }
    }

    private static int WriteListHeader<T>(ref MessagePackWriter writer, IReadOnlyList<T>? values, string field, int maxCount)
    {
        if (values is null)
        {
            throw SnapshotFormatException.At(field, "required, found null");
        }

        int count = values.Count;
        if (count > maxCount)
        {
            throw SnapshotFormatException.At(field, $"{count} elements exceed the limit of {maxCount}");
        }

        writer.WriteArrayHeader(count);
        return count;
    }
}
