namespace EdgeFence.Core.Model;

/// <summary>A paid endpoint: a path pattern, optional methods, and a cost in units.</summary>
public sealed class Resource
{
    public required string Id { get; init; }
    public required string SiteId { get; init; }

    /// <summary>
    /// Path pattern: literal segments, <c>*</c> for exactly one segment, and a trailing <c>/*</c> for
    /// the path itself and everything below it (<c>/api/v1/*</c>). Matching ignores ASCII case.
    /// </summary>
    public required string Pattern { get; init; }

    /// <summary>Upper-case HTTP methods; empty means all. HEAD is enforced as GET.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    /// <summary>Units one request costs against the quota.</summary>
    public long Cost { get; init; } = 1;

    /// <summary>
    /// Path at the origin, same shape as <see cref="Pattern"/>: a trailing <c>/*</c> receives what the
    /// pattern's trailing <c>/*</c> matched. <c>null</c> forwards the public path unchanged.
    /// </summary>
    public string? PrivatePath { get; init; }

    /// <summary>Price of one call in millionths of <see cref="Currency"/>; 0 is free. A plan may set its own (<see cref="Plan.ResourcePrices"/>).</summary>
    public long PriceMicros { get; init; }

    /// <summary>ISO 4217 code of <see cref="PriceMicros"/>.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>How a call may be paid: by token (default), by x402 per call, or either.</summary>
    public ResourcePayment Payment { get; init; } = ResourcePayment.Token;

    /// <summary>
    /// <see cref="ResourceKind.Mcp"/>: the pattern is an MCP endpoint, priced per JSON-RPC call instead of per
    /// request. <c>initialize</c>, <c>tools/list</c>, pings and notifications are free; a <c>tools/call</c> costs
    /// what the resource of its tool (<see cref="McpTool"/>) says, and any other call what the endpoint says.
    /// </summary>
    public ResourceKind Kind { get; init; } = ResourceKind.Http;

    /// <summary>
    /// On an MCP resource: the tool name whose <c>tools/call</c> this resource prices; <c>null</c> is the endpoint
    /// itself (it prices tools without a resource of their own). A tool resource has the pattern and private path of
    /// its endpoint; plans allow tools by listing their resource ids.
    /// </summary>
    public string? McpTool { get; init; }

    /// <summary>
    /// On an <see cref="ResourceKind.OpenAi"/> resource: the price of each model, per 1K input and output tokens. A
    /// request naming a model not listed is refused; the list may be empty only while the resource is free.
    /// </summary>
    public IReadOnlyList<OpenAiModelPrice> OpenAiPrices { get; init; } = [];

    /// <summary>
    /// On an OpenAI resource: the output tokens reserved when a request sets neither <c>max_tokens</c> nor
    /// <c>max_completion_tokens</c>; 0 means <see cref="OpenAiDefaults.MaxTokens"/>.
    /// </summary>
    public int OpenAiDefaultMaxTokens { get; init; }

    /// <summary>
    /// On an OpenAI resource: the request header naming the end user; <c>null</c> is <c>X-EdgeFence-User</c>
    /// (<c>X-Paywall-User</c> is always accepted as an alias). The body's <c>user</c> field names the user too; a header and
    /// the body that disagree are refused (Edge OpenAi/OpenAiEndUser.cs).
    /// </summary>
    public string? OpenAiUserHeader { get; init; }

    /// <summary>
    /// On an OpenAI resource: an empty balance is answered as a 200 chat completion whose assistant message holds the
    /// top-up link (for chat UIs), instead of a 402 error.
    /// </summary>
    public bool OpenAiBalanceAsMessage { get; init; }

    /// <summary>
    /// On an OpenAI resource whose origin is trusted to meter itself: the response header, or trailer, in which the origin
    /// reports the call's usage (<c>prompt_tokens=17, completion_tokens=5</c>); the edge settles from it instead of the
    /// body's <c>usage</c> (a trailer wins over a header) and removes it from what the client sees. <c>null</c>: the
    /// origin is not trusted to meter, and such a header is ignored (and still removed).
    /// </summary>
    public string? OpenAiOriginUsageHeader { get; init; }
}
