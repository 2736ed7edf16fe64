using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;

namespace EdgeFence.ControlPlane.Tests.Mcp;

/// <summary>MCP endpoints and tools declared through the API reach the snapshot; a tool without its endpoint is a 400 naming the field.</summary>
public sealed class McpResourceApiTests
{
    [Fact]
    public async Task An_mcp_endpoint_and_its_tools_reach_the_snapshot_and_a_tool_alone_is_refused()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = (await controlPlane.PostAsync("/v1/sites", new { name = "Tools", slug = "tools", originUrl = "http://127.0.0.1:9" })).Str("id");

        var lonely = await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/mcp", kind = "mcp", mcpTool = "search", cost = 5 });
        Assert.Equal(HttpStatusCode.BadRequest, lonely.Status);
        Assert.Contains("mcpTool", lonely.ToString(), StringComparison.Ordinal);

        var endpoint = await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/mcp", kind = "mcp", cost = 2 });
        Assert.True(endpoint.Status == HttpStatusCode.Created, endpoint.ToString());
        Assert.Equal("mcp", endpoint.Str("kind"));
        var tool = await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/mcp", kind = "mcp", mcpTool = "search", cost = 5 });
        Assert.True(tool.Status == HttpStatusCode.Created, tool.ToString());
        Assert.Equal("search", (await controlPlane.GetAsync($"/v1/resources/{tool.Str("id")}")).Str("mcpTool"));
        Assert.Equal(HttpStatusCode.BadRequest, (await controlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/x", kind = "grpc" })).Status);

        var snapshot = SnapshotSerializer.Deserialize((await controlPlane.GetSnapshotAsync()).Bytes);
        Assert.Equal(2, snapshot.Resources.Count(r => r.Kind == ResourceKind.Mcp));
        Assert.Equal("search", Assert.Single(snapshot.Resources, r => r.McpTool is not null).McpTool);
    }

    [Fact]
    public async Task A_sites_tools_list_filter_opt_in_is_off_by_default_set_by_the_api_and_carried_in_the_snapshot()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var created = await controlPlane.PostAsync("/v1/sites", new { name = "Tools", slug = "tools", originUrl = "http://127.0.0.1:9" });
        var siteId = created.Str("id");
        Assert.False(created.Json.GetProperty("mcpFilterTools").GetBoolean());
        Assert.False(Assert.Single(SnapshotSerializer.Deserialize((await controlPlane.GetSnapshotAsync()).Bytes).Sites).McpFilterTools);

        var updated = await controlPlane.PatchAsync($"/v1/sites/{siteId}", new { mcpFilterTools = true });
        Assert.True(updated.Status == HttpStatusCode.OK, updated.ToString());
        Assert.True(updated.Json.GetProperty("mcpFilterTools").GetBoolean());
        Assert.True((await controlPlane.GetAsync($"/v1/sites/{siteId}")).Json.GetProperty("mcpFilterTools").GetBoolean());
        Assert.True(Assert.Single(SnapshotSerializer.Deserialize((await controlPlane.GetSnapshotAsync()).Bytes).Sites).McpFilterTools);

        // A change of something else keeps it; a wrong type is a 400.
        Assert.True((await controlPlane.PatchAsync($"/v1/sites/{siteId}", new { name = "Renamed" })).Json.GetProperty("mcpFilterTools").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, (await controlPlane.PatchAsync($"/v1/sites/{siteId}", new { mcpFilterTools = "yes" })).Status);
        var other = await controlPlane.PostAsync("/v1/sites", new { name = "Other", slug = "other", originUrl = "http://127.0.0.1:9", mcpFilterTools = true });
        Assert.True(other.Json.GetProperty("mcpFilterTools").GetBoolean());
    }
}
