namespace EdgeFence.AspNetCore.Authorize;

/// <summary>What one call to the edge produced: a decision with the rate-limit headers to copy, or a failure.</summary>
internal sealed class EdgeAnswer
{
    private EdgeAnswer(AuthorizeDecision? decision, EdgeFailure failure, string? error)
    {
        Decision = decision;
        Failure = failure;
        Error = error;
    }

    /// <summary>Null when the call failed; see <see cref="Failure"/>.</summary>
    public AuthorizeDecision? Decision { get; }

    public EdgeFailure Failure { get; }

    /// <summary>What went wrong, for the log.</summary>
    public string? Error { get; }

    public string? RateLimitPolicy { get; private init; }

    public string? RateLimit { get; private init; }

    public string? RetryAfter { get; private init; }

    public static EdgeAnswer Decided(AuthorizeDecision decision, string? rateLimitPolicy, string? rateLimit, string? retryAfter)
        => new(decision, default, null) { RateLimitPolicy = rateLimitPolicy, RateLimit = rateLimit, RetryAfter = retryAfter };

    public static EdgeAnswer Failed(EdgeFailure failure, string error) => new(null, failure, error);
}
