using EdgeFence.Core.Model;

namespace EdgeFence.Edge.OpenAi;

/// <summary>
/// The usage a trusted origin reports itself (<see cref="Resource.OpenAiOriginUsageHeader"/>), in a response header or
/// trailer: <c>prompt_tokens=17, completion_tokens=5</c> (members in any order, others ignored, both required). The
/// precedents are Kong's <c>X-Kong-Limit</c> and LiteLLM's <c>x-litellm-response-cost</c>: one header an origin can set
/// without touching its body.
/// </summary>
internal static class OpenAiOriginUsage
{
    /// <summary>
    /// Longest value read. Threat: an origin (trusted to meter, not to be careful) sending a long header the edge would
    /// scan on every call; the real value is under 64 characters.
    /// </summary>
    public const int MaxValueLength = 256;

    /// <summary>Parses one value; counts above <see cref="OpenAiDefaults.MaxTokenCount"/> are capped (<paramref name="capped"/>).</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out long promptTokens, out long completionTokens, out bool capped)
    {
        promptTokens = completionTokens = -1;
        capped = false;
        if (value.Length > MaxValueLength)
        {
            return false;
        }

        foreach (var range in value.Split(','))
        {
            var member = value[range].Trim();
            var equals = member.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var name = member[..equals].Trim();
            var field = name.SequenceEqual("prompt_tokens") ? 1 : name.SequenceEqual("completion_tokens") ? 2 : 0;
            if (field == 0)
            {
                continue;
            }

            if (!long.TryParse(member[(equals + 1)..].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count))
            {
                // Not a whole non-negative number (or past a long): unusable, so the call keeps its reservation.
                return false;
            }

            if (count > OpenAiDefaults.MaxTokenCount)
            {
                count = OpenAiDefaults.MaxTokenCount;
                capped = true;
            }

            if (field == 1)
            {
                promptTokens = count;
            }
            else
            {
                completionTokens = count;
            }
        }

        return promptTokens >= 0 && completionTokens >= 0;
    }
}
