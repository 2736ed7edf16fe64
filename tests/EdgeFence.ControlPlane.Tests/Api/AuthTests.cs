using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Api;

public sealed class AuthTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key-of-the-right-length-0123456789abcdefghijklmn")]
    [InlineData("test-admin-key-0123456789abcdefghijklmnopqrstuvwxy")]
    [InlineData(ControlPlaneHost.AdminKey + "z")]
    public async Task Missing_or_wrong_admin_key_gets_401_problem_and_changes_nothing(string? key)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();

        var response = await controlPlane.SendAsync(HttpMethod.Post, "/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" }, bearer: key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("urn:edgefence:problem:unauthorized", response.Str("type"));
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Empty((await controlPlane.GetAsync("/v1/sites")).Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Basic_credentials_get_401()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sites");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:" + ControlPlaneHost.AdminKey)));
        using var client = new HttpClient { BaseAddress = new Uri(controlPlane.Url) };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Admin_key_opens_the_api()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await controlPlane.GetAsync("/v1/sites")).Status);
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.GetAsync("/v1/edges")).Status);
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.GetAsync("/v1/snapshot")).Status);
    }

    [Fact]
    public async Task Edge_key_reads_the_snapshot_and_nothing_else()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await controlPlane.SendAsync(HttpMethod.Get, "/v1/snapshot", null, ControlPlaneHost.EdgeKey)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await controlPlane.SendAsync(HttpMethod.Get, "/v1/sites", null, ControlPlaneHost.EdgeKey)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await controlPlane.SendAsync(HttpMethod.Get, "/v1/edges", null, ControlPlaneHost.EdgeKey)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await controlPlane.SendAsync(HttpMethod.Post, "/v1/sites", new { name = "x" }, ControlPlaneHost.EdgeKey)).Status);
    }

    [Fact]
    public async Task Health_and_openapi_need_no_key_and_unknown_paths_get_404_problem()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await controlPlane.SendAsync(HttpMethod.Get, "/healthz", null, bearer: null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.SendAsync(HttpMethod.Get, "/openapi/v1.json", null, bearer: null)).Status);
        var missing = await controlPlane.GetAsync("/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("application/problem+json", missing.ContentType);
    }
}
