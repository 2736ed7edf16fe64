using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Resources;

/// <summary>An <c>openai</c> resource's settings, validated, as the snapshot holds them.</summary>
internal sealed record OpenAiTerms(IReadOnlyList<OpenAiModelPrice> Prices, int DefaultMaxTokens, string? UserHeader, bool BalanceAsMessage, string? OriginUsageHeader = null)
{
    public static readonly OpenAiTerms None = new([], 0, null, false);
}
