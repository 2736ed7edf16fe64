namespace EdgeFence.Core.Paths;

/// <summary>The result of <see cref="ResourceMatcher.TryMatch"/>.</summary>
public readonly struct ResourceMatch
{
    public ResourceMatch(int entryId, int remainderStart)
    {
        EntryId = entryId;
        RemainderStart = remainderStart;
    }

    /// <summary>The caller's id of the pattern that matched.</summary>
    public int EntryId { get; }

    /// <summary>
    /// For a pattern with a trailing catch-all: the index in the matched path where the part the
    /// catch-all matched begins, that is the '/' after the pattern's last literal or <c>*</c> segment,
    /// or the path's length when nothing follows. <c>path[RemainderStart..]</c> is what to append to
    /// a private path prefix; it keeps a trailing '/' the client sent. <c>-1</c> when the pattern has
    /// no catch-all.
    /// </summary>
    public int RemainderStart { get; }
}
