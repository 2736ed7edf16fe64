using EdgeFence.Core.Model;

namespace EdgeFence.Edge.OpenAi;

/// <summary>What a call is reserved at admission and what it costs from its usage, at the resource's price for its model.</summary>
internal static class OpenAiPricing
{
    public static bool TryFind(Resource resource, string model, out OpenAiModelPrice price)
    {
        foreach (var candidate in resource.OpenAiPrices)
        {
            if (string.Equals(candidate.Model, model, StringComparison.Ordinal))
            {
                price = candidate;
                return true;
            }
        }

        price = default;
        return false;
    }

    /// <summary>
    /// The hold: the body's length in bytes as prompt tokens (an upper bound: a token is at least one byte of JSON),
    /// plus the completion tokens the request allows (its max_tokens, else the resource's default, else 4096).
    /// </summary>
    public static long Reservation(Resource resource, OpenAiModelPrice price, OpenAiRequest request)
    {
        var maxTokens = request.MaxTokens ?? (resource.OpenAiDefaultMaxTokens > 0 ? resource.OpenAiDefaultMaxTokens : OpenAiDefaults.MaxTokens);
        return Cost(price, request.BodyBytes, maxTokens);
    }

    public static long Cost(OpenAiModelPrice price, long promptTokens, long completionTokens)
        => OpenAiDefaults.Cost(Math.Max(0, promptTokens), price.InputMicrosPer1K) + OpenAiDefaults.Cost(Math.Max(0, completionTokens), price.OutputMicrosPer1K);
}
