using System.Buffers.Binary;

namespace EdgeFence.Edge.Snapshots;

/// <summary>
/// The on-disk envelope of the last accepted snapshot: <c>"EFS1"</c>, the signature length (int32 LE),
/// the signature, then the snapshot's MessagePack bytes exactly as received, so the signature still
/// verifies at the next start. One file, so it is replaced in one rename.
/// </summary>
internal static class PersistedSnapshot
{
    private static ReadOnlySpan<byte> Magic => "EFS1"u8;

    public static void Write(Stream stream, byte[] snapshot, byte[]? signature)
    {
        Span<byte> header = stackalloc byte[8];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], signature?.Length ?? 0);
        stream.Write(header);
        stream.Write(signature ?? []);
        stream.Write(snapshot);
    }

    /// <summary>Envelope in one file, written to a temporary name, flushed, then renamed: a crash leaves the old file or the new one.</summary>
    public static void WriteFile(string path, byte[] bytes, byte[]? signature)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";

        // Owner-only: a snapshot carries the sites' HMAC secrets, a wallet book what customers paid.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            Write(stream, bytes, signature);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static bool TryRead(byte[] file, out byte[] snapshot, out byte[]? signature)
    {
        snapshot = [];
        signature = null;
        if (file.Length < 8 || !file.AsSpan(0, 4).SequenceEqual(Magic))
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(4));
        if (length < 0 || length > file.Length - 8)
        {
            return false;
        }

        signature = length == 0 ? null : file.AsSpan(8, length).ToArray();
        snapshot = file.AsSpan(8 + length).ToArray();
        return true;
    }
}
