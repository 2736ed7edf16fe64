namespace EdgeFence.Core.Model;

/// <summary>Bounds of OpenAI-compatible resources, shared by the control plane, the snapshot validator and the edge.</summary>
public static class OpenAiDefaults
{
    /// <summary>Output tokens reserved when neither the request nor the resource says how many.</summary>
    public const int MaxTokens = 4096;

    /// <summary>
    /// Largest token count the edge believes, in a request's <c>max_tokens</c> or a response's <c>usage</c>: above
    /// every context window sold today, and small enough that count × price per 1K cannot overflow a long for any
    /// price below <see cref="MaxMicrosPer1K"/>. An origin reporting more is capped and logged.
    /// </summary>
    public const long MaxTokenCount = 100_000_000;

    /// <summary>
    /// Largest price per 1K tokens: 1,000 currency units, far above any model's list price. With
    /// <see cref="MaxTokenCount"/> the product stays at 1e17, well inside a long (9.2e18), for input and output summed.
    /// </summary>
    public const long MaxMicrosPer1K = 1_000_000_000;

    /// <summary>Models one resource may price: bounds the snapshot and the per-request lookup.</summary>
    public const int MaxModels = 256;

    /// <summary>Longest model name; OpenAI's own ids are under 64 characters.</summary>
    public const int MaxModelLength = 128;

    /// <summary>The end-user header when the resource names none.</summary>
    public const string UserHeader = "X-EdgeFence-User";

    /// <summary>Paywalls' end-user header, accepted as an alias so its clients work unchanged.</summary>
    public const string UserHeaderAlias = "X-Paywall-User";

    /// <summary>
    /// Cost of <paramref name="tokens"/> at <paramref name="microsPer1K"/>, rounded up to a whole micro so that a
    /// stream of tiny calls cannot run for free. Both inputs are within the bounds above, so this does not overflow.
    /// </summary>
    public static long Cost(long tokens, long microsPer1K) => (Math.Min(tokens, MaxTokenCount) * microsPer1K + 999) / 1000;
}
