namespace EdgeFence.Edge.Enforcement;

/// <summary>How one deny reason looks to a client.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Code">Stable reason code (the <c>reason</c> member and the end of the problem <c>type</c>).</param>
/// <param name="Title">Problem title: the same for every occurrence of the reason.</param>
internal sealed record DenyReasonInfo(int Status, string Code, string Title)
{
    /// <summary>RFC 9457 problem type URI.</summary>
    public string Type { get; } = "urn:edgefence:problem:" + Code;
}
