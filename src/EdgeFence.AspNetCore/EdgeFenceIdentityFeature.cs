namespace EdgeFence.AspNetCore;

/// <summary>The one implementation of <see cref="IEdgeFenceIdentityFeature"/>; immutable once set.</summary>
internal sealed class EdgeFenceIdentityFeature : IEdgeFenceIdentityFeature
{
    public EdgeFenceIdentityFeature(string? customer, string? plan, string? tokenId, string requestId, long chargedMicros = 0, string? chargedCurrency = null)
    {
        ChargedMicros = chargedMicros;
        ChargedCurrency = chargedCurrency;
        Customer = customer;
        Plan = plan;
        TokenId = tokenId;
        RequestId = requestId;
    }

    public string? Customer { get; }

    public string? Plan { get; }

    public string? TokenId { get; }

    public string RequestId { get; }

    public long ChargedMicros { get; }

    public string? ChargedCurrency { get; }
}
