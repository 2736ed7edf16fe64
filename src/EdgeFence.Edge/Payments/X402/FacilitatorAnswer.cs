namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// A facilitator's answer to <c>/verify</c> or <c>/settle</c>, reduced to what the edge uses. Strings
/// come from another service and go into headers and logs: <see cref="FacilitatorClient"/> keeps only
/// short, printable ASCII ones.
/// </summary>
internal readonly record struct FacilitatorAnswer(FacilitatorOutcome Outcome, string? Reason, string? Payer, string? Transaction, string? Network)
{
    public static FacilitatorAnswer Unavailable(string reason) => new(FacilitatorOutcome.Unavailable, reason, null, null, null);
}
