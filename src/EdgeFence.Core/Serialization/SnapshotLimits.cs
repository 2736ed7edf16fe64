namespace EdgeFence.Core.Serialization;

/// <summary>
/// Upper bounds the snapshot reader enforces, and the writer too, so that it never produces bytes an edge
/// would refuse.
/// </summary>
/// <remarks>
/// Snapshots reach the edge over the admin listener and from disk. The reader already refuses a length
/// prefix the remaining bytes cannot hold, so a small forged input cannot allocate much; these limits
/// bound what a large corrupt or hostile snapshot can make the edge allocate and decode before any
/// semantic validation runs.
/// </remarks>
public static class SnapshotLimits
{
    /// <summary>
    /// Tokens per snapshot. About 300 bytes of heap per decoded token, so this caps a snapshot near 3 GB;
    /// the largest deployment planned for holds one million tokens.
    /// </summary>
    public const int MaxTokens = 10_000_000;

    /// <summary>
    /// Tokens a delta may add, change or remove. Threat: a delta is applied while requests are served, under the lock
    /// every push takes, and its tokens stay in the edge's overlay until it compacts; a huge delta would stall pushes
    /// and bloat the overlay. The control plane sends a full snapshot for anything larger.
    /// </summary>
    public const int MaxDeltaTokens = 100_000;

    /// <summary>Sites, plans and resources per snapshot: each is a few hundred bytes of heap at most.</summary>
    public const int MaxEntities = 100_000;

    /// <summary>
    /// Elements of a list inside one entity (hosts, methods, static headers and query parameters, a plan's
    /// resource ids). As large as <see cref="MaxEntities"/> because a plan may list every resource.
    /// </summary>
    public const int MaxListLength = MaxEntities;

    /// <summary>
    /// Fields of one object, including those a newer writer appended that this build skips. Far above any
    /// real layout; it only stops a forged header from looking plausible.
    /// </summary>
    public const int MaxObjectFields = 1024;

    /// <summary>UTF-8 bytes of one string: ids, names, URLs, patterns, header values.</summary>
    public const int MaxStringBytes = 64 * 1024;

    /// <summary>Bytes of one binary field (HMAC secrets and hashes).</summary>
    public const int MaxBinaryBytes = 64 * 1024;
}
