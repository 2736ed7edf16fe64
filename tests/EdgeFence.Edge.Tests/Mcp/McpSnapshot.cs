using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Mcp;

/// <summary>
/// A site whose <c>/mcp</c> is an MCP endpoint: <c>echo</c> costs 1 unit, <c>search</c> 5, other calls (<c>store</c>,
/// which has no resource of its own) the endpoint's 2.
/// </summary>
public static class McpSnapshot
{
    public const string Pro = "tok-mcp-pro-0001";         // quota 20, every tool
    public const string EchoOnly = "tok-mcp-echo-0001";   // plan allows only the echo tool
    public const string Small = "tok-mcp-small-0001";     // quota 5

    /// <param name="filterTools">The site's opt-in to filter tools/list answers to the caller's plan.</param>
    public static Snapshot Create(string originUrl, bool filterTools = false) => new()
    {
        Version = 1,
        Sites = [new Site { Id = "demo", Name = "Tools", Slug = "demo", OriginUrl = originUrl, Hosts = [TestSnapshot.SiteHost], HmacSecret = TestSnapshot.HmacSecret, McpFilterTools = filterTools }],
        Resources =
        [
            new Resource { Id = "r-mcp", SiteId = "demo", Pattern = "/mcp", Kind = ResourceKind.Mcp, Cost = 2 },
            new Resource { Id = "r-echo", SiteId = "demo", Pattern = "/mcp", Kind = ResourceKind.Mcp, McpTool = "echo", Cost = 1 },
            new Resource { Id = "r-search", SiteId = "demo", Pattern = "/mcp", Kind = ResourceKind.Mcp, McpTool = "search", Cost = 5 },
        ],
        Plans =
        [
            new Plan { Id = "plan-pro", SiteId = "demo", Name = "Pro", QuotaUnits = 20 },
            new Plan { Id = "plan-echo", SiteId = "demo", Name = "Echo only", QuotaUnits = 20, ResourceIds = ["r-echo"] },
            new Plan { Id = "plan-small", SiteId = "demo", Name = "Small", QuotaUnits = 5 },
        ],
        Tokens =
        [
            Token("t-pro", "plan-pro", "acme", Pro),
            Token("t-echo", "plan-echo", "globex", EchoOnly),
            Token("t-small", "plan-small", "initech", Small),
        ],
    };

    private static TokenRecord Token(string id, string plan, string customer, string token)
        => new() { Id = id, SiteId = "demo", PlanId = plan, Customer = customer, Hash = TokenHasher.Hash(token) };
}
