using System.Security.Cryptography;

namespace EdgeFence.Edge.Enforcement;

/// <summary>
/// Ids for requests: 32 lower-case hex characters, the shape <c>Guid.ToString("N")</c> gave. A random
/// 64-bit prefix drawn once per process, then a 64-bit counter: unique within a process by
/// construction and across processes with overwhelming probability, without the getrandom system call
/// that <see cref="Guid.NewGuid"/> makes for every id (2% of the edge's CPU under load, measured with
/// perf during loadtests/run.sh). An id is not a secret: the signature over it is what an origin trusts.
/// </summary>
internal static class RequestIds
{
    private static readonly ulong Prefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long _counter;

    public static string Next()
        => string.Create(32, (ulong)Interlocked.Increment(ref _counter), static (chars, counter) =>
        {
            Prefix.TryFormat(chars, out _, "x16");
            counter.TryFormat(chars[16..], out _, "x16");
        });
}
