using System.Buffers.Binary;

namespace EdgeFence.Edge.Snapshots;

/// <summary>
/// The deltas applied since the persisted full snapshot, in order, so a restart comes back at the last delta's
/// version: a file of entries <c>"EFD1"</c>, signature length (int32 LE), delta length (int32 LE), the signature, the
/// delta's MessagePack bytes exactly as received (each is verified again when replayed). Appended and flushed to disk
/// before a delta is published; removed when a full snapshot replaces the persisted one.
/// </summary>
internal static class PersistedDeltaLog
{
    private const int HeaderLength = 12;

    private static ReadOnlySpan<byte> Magic => "EFD1"u8;

    public static void Append(string path, byte[] delta, byte[]? signature)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);

        // Owner-only, like the snapshot file: a delta carries token hashes and customers.
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        Span<byte> header = stackalloc byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], signature?.Length ?? 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], delta.Length);
        stream.Write(header);
        stream.Write(signature ?? []);
        stream.Write(delta);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// The entries of <paramref name="file"/> in order, each with the offset it starts at. A torn or foreign tail
    /// (a crash in the middle of an append: that delta was never acknowledged) ends the list; <paramref name="validLength"/>
    /// is where it starts.
    /// </summary>
    public static List<(long Offset, byte[] Delta, byte[]? Signature)> Read(byte[] file, out long validLength)
    {
        var entries = new List<(long, byte[], byte[]?)>();
        var at = 0;
        while (file.Length - at >= HeaderLength && file.AsSpan(at, 4).SequenceEqual(Magic))
        {
            var signatureLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at + 4));
            var deltaLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at + 8));
            if (signatureLength < 0 || deltaLength < 0 || (long)signatureLength + deltaLength > file.Length - at - HeaderLength)
            {
                break;
            }

            var signature = signatureLength == 0 ? null : file.AsSpan(at + HeaderLength, signatureLength).ToArray();
            var delta = file.AsSpan(at + HeaderLength + signatureLength, deltaLength).ToArray();
            entries.Add((at, delta, signature));
            at += HeaderLength + signatureLength + deltaLength;
        }

        validLength = at;
        return entries;
    }

    /// <summary>Cuts the file at <paramref name="length"/>: what follows is unusable and must not precede the next append.</summary>
    public static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
        stream.Flush(flushToDisk: true);
    }
}
