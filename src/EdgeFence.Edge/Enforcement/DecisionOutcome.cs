namespace EdgeFence.Edge.Enforcement;

internal enum DecisionOutcome : byte
{
    /// <summary>The path matches no resource: forwarded unenforced.</summary>
    Passthrough = 0,

    /// <summary>Enforced and admitted (counted).</summary>
    Allowed = 1,

    Denied = 2,
}
