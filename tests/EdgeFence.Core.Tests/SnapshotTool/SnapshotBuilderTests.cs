using System.Security.Cryptography;
using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;
using EdgeFence.SnapshotTool;

namespace EdgeFence.Core.Tests.SnapshotTool;

public class SnapshotBuilderTests
{
    private const string ClearToken = "sk_live_do-not-leak-7f3a";

    private const string Json = """
        {
          "version": 12,
          "sites": [ { "id": "s1", "name": "Demo", "slug": "demo", "originUrl": "http://127.0.0.1:9000",
                       "hosts": ["api.example.com"], "hmacSecret": "hmac", "originKey": "origin-key",
                       "staticHeaders": { "X-Origin-Key": "abc" }, "staticQuery": { "k": "v" }, "denyByDefault": true } ],
          "plans": [ { "id": "p1", "siteId": "s1", "name": "Pro", "quota": { "units": 1000, "period": "WEEK", "mode": "Soft" },
                       "rateLimit": { "requests": 10, "windowSeconds": 60 }, "priceMicros": 5, "currency": "USD", "resourceIds": ["r1"] } ],
          "resources": [ { "id": "r1", "siteId": "s1", "pattern": "/api/v1/*", "methods": ["get"], "cost": 2, "privatePath": null } ],
          "tokens": [ { "id": "t1", "siteId": "s1", "planId": "p1", "customer": "c1", "token": "sk_live_do-not-leak-7f3a", "expiresAtUnix": 0, "revoked": false } ]
        }
        """;

    [Fact]
    public void Builder_stores_only_the_SHA256_of_the_clear_token()
    {
        Snapshot snapshot = SnapshotBuilder.FromJson(Json, createdAtUnixMs: 1000);
        byte[] bytes = SnapshotSerializer.Serialize(snapshot);

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(ClearToken)), snapshot.Tokens[0].Hash);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(ClearToken)));
        Assert.Equal(-1, bytes.AsSpan().IndexOf("origin-key"u8));
        Assert.Equal(SHA256.HashData("origin-key"u8), snapshot.Sites[0].OriginKeyHash);

        Snapshot decoded = SnapshotSerializer.Deserialize(bytes);
        Assert.Equal(QuotaPeriod.Week, decoded.Plans[0].QuotaPeriod);
        Assert.Equal(QuotaMode.Soft, decoded.Plans[0].QuotaMode);
        Assert.Equal(["GET"], decoded.Resources[0].Methods);
        Assert.Equal(new NameValue("X-Origin-Key", "abc"), decoded.Sites[0].StaticHeaders[0]);
    }

    [Fact]
    public void Token_with_both_token_and_tokenHash_is_refused_naming_the_token()
    {
        string json = Json.Replace("\"expiresAtUnix\"", "\"tokenHash\": \"" + new string('a', 64) + "\", \"expiresAtUnix\"", StringComparison.Ordinal);

        ToolInputException e = Assert.Throws<ToolInputException>(() => SnapshotBuilder.FromJson(json, 0));

        Assert.Equal("tokens[0]: give exactly one of token or tokenHash", e.Message);
        Assert.DoesNotContain(ClearToken, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_quota_period_is_refused_naming_the_field()
    {
        ToolInputException e = Assert.Throws<ToolInputException>(() => SnapshotBuilder.FromJson(Json.Replace("WEEK", "fortnight", StringComparison.Ordinal), 0));

        Assert.Equal("plans[0].quota.period: 'fortnight' is not one of hour, day, week, month, year", e.Message);
    }

    [Fact]
    public void An_mcp_endpoint_and_its_tool_are_built_and_an_unknown_kind_is_refused_naming_the_field()
    {
        const string Mcp = """, { "id": "r-mcp", "siteId": "s1", "pattern": "/mcp", "kind": "mcp" }, { "id": "r-echo", "siteId": "s1", "pattern": "/mcp", "kind": "MCP", "mcpTool": "echo", "cost": 3 } ],""";
        string json = Json.Replace("\"privatePath\": null } ],", "\"privatePath\": null }" + Mcp, StringComparison.Ordinal);

        Snapshot snapshot = SnapshotSerializer.Deserialize(SnapshotSerializer.Serialize(SnapshotBuilder.FromJson(json, 0)));
        Assert.Equal(ResourceKind.Http, snapshot.Resources[0].Kind);
        Assert.Equal((ResourceKind.Mcp, (string?)null), (snapshot.Resources[1].Kind, snapshot.Resources[1].McpTool));
        Assert.Equal((ResourceKind.Mcp, "echo", 3L), (snapshot.Resources[2].Kind, snapshot.Resources[2].McpTool, snapshot.Resources[2].Cost));

        ToolInputException e = Assert.Throws<ToolInputException>(() => SnapshotBuilder.FromJson(json.Replace("\"kind\": \"mcp\"", "\"kind\": \"grpc\"", StringComparison.Ordinal), 0));
        Assert.Equal("resources[1].kind: 'grpc' is not 'http' or 'mcp'", e.Message);
    }
}
