namespace EdgeFence.AspNetCore.Authorize;

/// <summary>The body of <c>POST /v1/authorize</c>: the request this origin received, described.</summary>
internal sealed class AuthorizeRequestBody
{
    public required string Token { get; init; }

    public required string Method { get; init; }

    /// <summary>The raw request-target (path and query as received), which the edge checks with proxy mode's path rules.</summary>
    public required string Path { get; init; }

    public required string Host { get; init; }
}
