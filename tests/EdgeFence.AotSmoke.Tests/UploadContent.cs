using System.Net;
using System.Security.Cryptography;

namespace EdgeFence.AotSmoke.Tests;

/// <summary>A request body of <see cref="Length"/> deterministic bytes, generated while sent (never held in memory), hashed as it goes.</summary>
public sealed class UploadContent : HttpContent
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public UploadContent(long length)
    {
        Length = length;
        Headers.ContentLength = length;
    }

    public long Length { get; }

    public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var chunk = new byte[64 * 1024];
        var random = new Random(1234);
        for (long sent = 0; sent < Length; sent += chunk.Length)
        {
            random.NextBytes(chunk);
            var count = (int)Math.Min(chunk.Length, Length - sent);
            _hash.AppendData(chunk, 0, count);
            await stream.WriteAsync(chunk.AsMemory(0, count));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
