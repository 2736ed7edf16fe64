namespace EdgeFence.ControlPlane.Resources;

/// <summary>One model's price on an <c>openai</c> resource, in currency units per 1,000 tokens (<c>0.0025</c>).</summary>
public sealed class OpenAiModelPriceRequest
{
    /// <summary>The model id as clients send it in <c>model</c>, compared exactly.</summary>
    public string? Model { get; set; }

    /// <summary>Price of 1,000 prompt (input) tokens, at most 6 decimals; default 0.</summary>
    public decimal? InputPer1K { get; set; }

    /// <summary>Price of 1,000 completion (output) tokens, at most 6 decimals; default 0.</summary>
    public decimal? OutputPer1K { get; set; }
}
