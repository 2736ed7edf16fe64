namespace EdgeFence.Core.Model;

/// <summary>
/// What one model of an OpenAI-compatible resource costs, in millionths of the resource's currency per 1,000 tokens:
/// <c>InputMicrosPer1K</c> for prompt tokens, <c>OutputMicrosPer1K</c> for completion tokens.
/// </summary>
public readonly record struct OpenAiModelPrice(string Model, long InputMicrosPer1K, long OutputMicrosPer1K);
