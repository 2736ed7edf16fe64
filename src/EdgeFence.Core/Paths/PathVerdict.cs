namespace EdgeFence.Core.Paths;

/// <summary>What <see cref="RequestPathGuard.Check"/> thinks of a raw request-target.</summary>
public enum PathVerdict
{
    /// <summary>The path has one meaning: decoding it gives the path every origin will route.</summary>
    Ok = 0,

    /// <summary>Not a usable request-target (empty, not a path, bad escape, raw control or non-ASCII).</summary>
    Invalid = 1,

    /// <summary>
    /// Well-formed, but servers disagree on what it means, or it could reach a resource under another
    /// spelling (encoded '/', dot segments, '//', ';' and the like). Rejected, never normalized.
    /// </summary>
    Ambiguous = 2,
}
