using System.Text;

namespace EdgeFence.AspNetCore;

/// <summary>Options of <see cref="EdgeFenceApplicationBuilderExtensions.UseEdgeFenceSignature"/>.</summary>
public sealed class EdgeFenceSignatureOptions
{
    /// <summary>Default of <see cref="Tolerance"/>: the edge's documented 300 seconds.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(300);

    /// <summary>Default of <see cref="ReplayCacheSize"/>.</summary>
    public const int DefaultReplayCacheSize = 100_000;

    /// <summary>With the site's <c>hmacSecret</c> as configured at the edge (its UTF-8 bytes are the key).</summary>
    public EdgeFenceSignatureOptions(string hmacSecret)
        : this(Encoding.UTF8.GetBytes(hmacSecret ?? throw new ArgumentNullException(nameof(hmacSecret))))
    {
    }

    /// <summary>With the HMAC key as raw bytes (copied).</summary>
    public EdgeFenceSignatureOptions(ReadOnlySpan<byte> hmacSecret)
    {
        // An empty key would make every signature computable by anyone: refuse it here, not per request.
        if (hmacSecret.IsEmpty)
        {
            throw new ArgumentException("the HMAC secret must not be empty", nameof(hmacSecret));
        }

        HmacSecret = hmacSecret.ToArray();
    }

    /// <summary>The HMAC-SHA256 key.</summary>
    public ReadOnlyMemory<byte> HmacSecret { get; }

    /// <summary>
    /// How far the signature's timestamp may be from this machine's clock, either way, before the
    /// request is refused. Default 300 seconds. It bounds how long a captured request can be replayed
    /// (and how long the replay cache must remember a request id).
    /// </summary>
    public TimeSpan Tolerance { get; set; } = DefaultTolerance;

    /// <summary>
    /// Remember the request ids of accepted requests for the tolerance window and refuse a second
    /// request with the same id. Default on. The memory is per process: behind several origin
    /// instances a replay to another instance is only bounded by <see cref="Tolerance"/>.
    /// </summary>
    public bool ReplayProtection { get; set; } = true;

    /// <summary>
    /// Most request ids the replay cache holds (default 100,000: about 15 MB with the edge's 32-character
    /// ids, 9 MB of strings and 6 MB of index, measured with <c>GC.GetTotalMemory</c> around 100,000 adds).
    /// When full, the id whose window ends soonest is forgotten first. Size it above your peak requests
    /// per tolerance window.
    /// </summary>
    public int ReplayCacheSize { get; set; } = DefaultReplayCacheSize;

    /// <summary>The clock timestamps are checked against. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
