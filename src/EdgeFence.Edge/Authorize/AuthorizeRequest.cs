namespace EdgeFence.Edge.Authorize;

/// <summary>The body of <c>POST /v1/authorize</c>: the request the origin received, described.</summary>
internal sealed class AuthorizeRequest
{
    public string? Token { get; set; }
    public string? Method { get; set; }
    public string? Path { get; set; }
    public string? Host { get; set; }
}
