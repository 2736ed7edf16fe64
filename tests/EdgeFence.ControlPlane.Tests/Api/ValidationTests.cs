using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Api;

/// <summary>Every refused request is a 400 problem naming the field at fault, and leaves the snapshot version where it was.</summary>
public sealed class ValidationTests
{
    [Theory]
    [InlineData("""{"name":"A","slug":"Bad Slug","originUrl":"http://127.0.0.1:9"}""", "slug")]
    [InlineData("""{"name":"A","slug":"-dash","originUrl":"http://127.0.0.1:9"}""", "slug")]
    [InlineData("""{"name":"A","slug":"v1","originUrl":"http://127.0.0.1:9"}""", "slug")]
    [InlineData("""{"name":"A","slug":"taken","originUrl":"http://127.0.0.1:9"}""", "slug")]
    [InlineData("""{"name":"A","slug":"ok","originUrl":"ftp://127.0.0.1/files"}""", "originUrl")]
    [InlineData("""{"name":"A","slug":"ok","originUrl":"javascript:alert(1)"}""", "originUrl")]
    [InlineData("""{"name":"A","slug":"ok","originUrl":"/relative"}""", "originUrl")]
    [InlineData("""{"name":"A","slug":"ok","originUrl":"http://user:pw@127.0.0.1"}""", "originUrl")]
    [InlineData("""{"slug":"ok","originUrl":"http://127.0.0.1:9"}""", "name")]
    [InlineData("""{"name":"A","slug":"ok","originUrl":"http://127.0.0.1:9","hosts":["api.example.com",""]}""", "hosts[1]")]
    [InlineData("""{"name":"A","slug":"ok","originUrl":"http://127.0.0.1:9","hosts":["api.example.com:8080"]}""", "hosts[0]")]
    [InlineData("""{"name":"A","slug":"ok","originUrl":"http://127.0.0.1:9","staticHeaders":{"X-EdgeFence-Plan":"x"}}""", "staticHeaders[0].name")]
    [InlineData("""{"name":"A","slug":"ok","originUrl":"http://127.0.0.1:9","denyByDefualt":true}""", "denyByDefualt")]
    [InlineData("""{"name":"A","slug":"ok","originUrl":42}""", "originUrl")]
    [InlineData("""{"name":"A","slug":"ok",""", "$")]
    public async Task Bad_site_gets_400_naming_the_field(string body, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        Assert.Equal(HttpStatusCode.Created, (await controlPlane.PostAsync("/v1/sites", new { name = "Taken", slug = "taken", originUrl = "http://127.0.0.1:9" })).Status);
        var version = await controlPlane.SnapshotVersionAsync();

        var response = await controlPlane.PostAsync("/v1/sites", body);

        AssertProblemNames(response, field);
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
        Assert.Single((await controlPlane.GetAsync("/v1/sites")).Json.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"name":"P","quota":{"units":-1}}""", "quota.units")]
    [InlineData("""{"name":"P","quota":{"period":"month"}}""", "quota.units")]
    [InlineData("""{"name":"P","quota":{"units":5,"period":"fortnight"}}""", "quota.period")]
    [InlineData("""{"name":"P","quota":{"units":5,"mode":"lenient"}}""", "quota.mode")]
    [InlineData("""{"name":"P","rateLimit":{"requests":0}}""", "rateLimit.requests")]
    [InlineData("""{"name":"P","rateLimit":{"requests":5,"windowSeconds":100000}}""", "rateLimit.windowSeconds")]
    [InlineData("""{"name":"P","price":-1}""", "price")]
    [InlineData("""{"name":"P","price":0.0000001}""", "price")]
    [InlineData("""{"name":"P","currency":"dollars"}""", "currency")]
    [InlineData("""{"quota":{"units":5}}""", "name")]
    [InlineData("""{"name":"P","quota":{"units":"five"}}""", "quota.units")]
    public async Task Bad_plan_gets_400_naming_the_field(string body, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        var version = await controlPlane.SnapshotVersionAsync();

        var response = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", body);

        AssertProblemNames(response, field);
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
        Assert.Empty((await controlPlane.GetAsync($"/v1/sites/{site.Str("id")}/plans")).Json.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"pattern":"api/*"}""", "pattern")]
    [InlineData("""{"pattern":""}""", "pattern")]
    [InlineData("""{"pattern":"/api/*"}""", "pattern")]
    [InlineData("""{"pattern":"/api/*","methods":["GET"]}""", "pattern")]
    [InlineData("""{"pattern":"/other","methods":["FETCH"]}""", "methods")]
    [InlineData("""{"pattern":"/other","cost":-2}""", "cost")]
    [InlineData("""{"pattern":"/other/*","privatePath":"/private"}""", "privatePath")]
    public async Task Bad_or_overlapping_resource_gets_400_naming_the_field(string body, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        Assert.Equal(HttpStatusCode.Created, (await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", new { pattern = "/api/*" })).Status);
        var version = await controlPlane.SnapshotVersionAsync();

        var response = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", body);

        AssertProblemNames(response, field);
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
        Assert.Single((await controlPlane.GetAsync($"/v1/sites/{site.Str("id")}/resources")).Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Resource_with_the_same_pattern_and_other_methods_is_accepted()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        Assert.Equal(HttpStatusCode.Created, (await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", new { pattern = "/chat", methods = new[] { "post" } })).Status);

        var response = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/resources", new { pattern = "/chat", methods = new[] { "GET" }, cost = 0 });

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal(["GET"], response.Json.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }

    [Theory]
    [InlineData("unknown", "acme", "planId")]
    [InlineData("other-site", "acme", "planId")]
    [InlineData("mine", "", "customer")]
    [InlineData("mine", "caf\u00e9", "customer")]
    public async Task Bad_token_request_gets_400_naming_the_field(string plan, string customer, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        var mine = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/plans", new { name = "Mine" });
        var other = await controlPlane.PostAsync("/v1/sites", new { name = "Other", slug = "other", originUrl = "http://127.0.0.1:9" });
        var theirs = await controlPlane.PostAsync($"/v1/sites/{other.Str("id")}/plans", new { name = "Theirs" });
        var planId = plan switch { "mine" => mine.Str("id"), "other-site" => theirs.Str("id"), _ => plan };
        var version = await controlPlane.SnapshotVersionAsync();

        var response = await controlPlane.PostAsync($"/v1/sites/{site.Str("id")}/tokens", new { planId, customer });

        AssertProblemNames(response, field);
        Assert.Equal(version, await controlPlane.SnapshotVersionAsync());
        Assert.Empty((await controlPlane.GetAsync($"/v1/sites/{site.Str("id")}/tokens")).Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Unknown_ids_get_404_problem()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();

        foreach (var response in new[]
        {
            await controlPlane.GetAsync("/v1/sites/site_nope"),
            await controlPlane.PostAsync("/v1/sites/site_nope/plans", new { name = "P" }),
            await controlPlane.PostAsync("/v1/sites/site_nope/tokens", new { planId = "p", customer = "c" }),
            await controlPlane.GetAsync("/v1/plans/plan_nope"),
            await controlPlane.DeleteAsync("/v1/resources/res_nope"),
            await controlPlane.DeleteAsync("/v1/tokens/tok_nope"),
            await controlPlane.PostAsync("/v1/tokens/tok_nope/rotate", null),
        })
        {
            Assert.True(response.Status == HttpStatusCode.NotFound, response.ToString());
            Assert.Equal("urn:edgefence:problem:not-found", response.Str("type"));
        }
    }

    private static void AssertProblemNames(ApiResponse response, string field)
    {
        Assert.True(response.Status == HttpStatusCode.BadRequest, response.ToString());
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(400, response.Json.GetProperty("status").GetInt32());
        Assert.Equal(field, response.Str("field"));
        Assert.Contains(field, response.ProblemFields());
    }
}
