namespace EdgeFence.ControlPlane.Usage;

/// <summary>One rollup cell: the decisions of one minute with the same site, plan, resource, token, customer, outcome and currency.</summary>
public sealed class RollupRowRequest
{
    /// <summary>Start of the minute, unix milliseconds (a multiple of 60000).</summary>
    public long Minute { get; init; }

    public string? Site { get; init; }
    public string? Plan { get; init; }
    public string? Resource { get; init; }
    public string? Token { get; init; }
    public string? Customer { get; init; }

    /// <summary><c>allow</c>, <c>deny</c> or <c>passthrough</c>.</summary>
    public string? Decision { get; init; }

    /// <summary>The decision's reason code (<c>allowed</c>, <c>quota-exhausted</c>, <c>unprotected</c>, …).</summary>
    public string? Reason { get; init; }

    /// <summary>Currency of <see cref="ChargedMicros"/>; empty when nothing was charged.</summary>
    public string? Currency { get; init; }

    public long Requests { get; init; }
    public long Units { get; init; }
    public long ChargedMicros { get; init; }
}
