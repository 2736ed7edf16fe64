using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Validation;

namespace EdgeFence.Core.Tests.Validation;

/// <summary>MCP endpoints and their tools: a tool needs its endpoint, shares its path, and is priced once.</summary>
public sealed class McpValidationTests
{
    private static Snapshot Build(params Resource[] resources) => new()
    {
        Version = 1,
        Sites = [new Site { Id = "s", Name = "S", Slug = "s", OriginUrl = "http://127.0.0.1:5080", HmacSecret = Encoding.UTF8.GetBytes(new string('k', 32)) }],
        Resources = resources,
        Plans = [new Plan { Id = "p", SiteId = "s", Name = "P", ResourceIds = [.. resources.Select(r => r.Id)] }],
        Tokens = [new TokenRecord { Id = "t", SiteId = "s", PlanId = "p", Customer = "c", Hash = TokenHasher.Hash("tok") }],
    };

    private static Resource Endpoint(string? privatePath = null) => new() { Id = "mcp", SiteId = "s", Pattern = "/mcp", Kind = ResourceKind.Mcp, Cost = 0, PrivatePath = privatePath };

    private static Resource Tool(string id, string name, string pattern = "/mcp", string? privatePath = null)
        => new() { Id = id, SiteId = "s", Pattern = pattern, Kind = ResourceKind.Mcp, McpTool = name, Cost = 5, PriceMicros = 1_000, PrivatePath = privatePath };

    [Fact]
    public void An_endpoint_with_tools_on_its_pattern_is_valid()
    {
        Assert.Empty(SnapshotValidator.Validate(Build(Tool("t1", "search_docs"), Endpoint(), Tool("t2", "repo/get.file-v2"))));
    }

    [Fact]
    public void A_tool_without_an_endpoint_on_its_pattern_is_refused()
    {
        Assert.Contains("resources[1].pattern: the MCP tool 'search' needs an MCP endpoint resource (no mcpTool) with the same pattern",
            SnapshotValidator.Validate(Build(Endpoint(), Tool("t1", "search", pattern: "/other"))));
    }

    [Fact]
    public void A_tool_priced_twice_or_forwarded_elsewhere_is_refused()
    {
        var errors = SnapshotValidator.Validate(Build(Endpoint(), Tool("t1", "search"), Tool("t2", "search"), Tool("t3", "fetch", privatePath: "/private")));
        Assert.Contains("resources[2].mcpTool: the tool 'search' is priced twice on '/mcp'", errors);
        Assert.Contains("resources[3].privatePath: an MCP tool is forwarded like its endpoint 'mcp'; use the same private path", errors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("naïve")]
    public void A_tool_name_outside_the_mcp_rule_is_refused(string name)
    {
        Assert.Contains("resources[1].mcpTool: must be 1-128 characters of letters, digits, '_', '-', '.' or '/'", SnapshotValidator.Validate(Build(Endpoint(), Tool("t1", name))));
    }

    [Fact]
    public void A_tool_name_on_a_plain_resource_and_methods_on_an_mcp_resource_are_refused()
    {
        var plain = new Resource { Id = "r", SiteId = "s", Pattern = "/api", McpTool = "search" };
        var withMethods = new Resource { Id = "mcp", SiteId = "s", Pattern = "/mcp", Kind = ResourceKind.Mcp, Methods = ["POST"] };
        var errors = SnapshotValidator.Validate(Build(plain, withMethods));
        Assert.Contains("resources[0].mcpTool: only an MCP resource names a tool", errors);
        Assert.Contains("resources[1].methods: an MCP resource takes every method; leave methods empty", errors);
    }

    [Fact]
    public void An_undefined_kind_is_refused()
    {
        Assert.Contains("resources[0].kind: unknown kind", SnapshotValidator.Validate(Build(new Resource { Id = "r", SiteId = "s", Pattern = "/api", Kind = (ResourceKind)9 })));
    }
}
