namespace EdgeFence.Edge.OpenAi;

/// <summary>What the edge learned from an OpenAI-compatible request body, or why it refuses it.</summary>
internal sealed class OpenAiRequest
{
    public string? Model { get; set; }

    /// <summary><c>max_completion_tokens</c>, else <c>max_tokens</c>; null when the body sets neither.</summary>
    public long? MaxTokens { get; set; }

    public bool Stream { get; set; }

    /// <summary><c>stream_options.include_usage</c> is true: a streamed answer will end with a usage chunk.</summary>
    public bool IncludeUsage { get; set; }

    /// <summary>The body's <c>user</c> field.</summary>
    public string? User { get; set; }

    /// <summary>The body's length: an upper bound on its prompt tokens (a token is at least one byte of JSON).</summary>
    public long BodyBytes { get; set; }

    /// <summary>0 when accepted; else the HTTP status of the refusal.</summary>
    public int Status { get; set; }

    public string? Problem { get; set; }

    public static OpenAiRequest Refused(int status, string problem) => new() { Status = status, Problem = problem };
}
