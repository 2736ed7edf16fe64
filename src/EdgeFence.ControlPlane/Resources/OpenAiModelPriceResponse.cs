namespace EdgeFence.ControlPlane.Resources;

/// <summary>One model's price on an <c>openai</c> resource as the API shows it, in currency units per 1,000 tokens.</summary>
public sealed class OpenAiModelPriceResponse
{
    public required string Model { get; init; }
    public required decimal InputPer1K { get; init; }
    public required decimal OutputPer1K { get; init; }
}
