using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.Dashboard;

/// <summary>The dashboard's login over plain HTTP: cookie flags, wrong keys, CSRF, the attempt limit, the portal link.</summary>
public sealed class DashboardLoginTests
{
    [Fact]
    public async Task Admin_key_is_exchanged_for_an_HttpOnly_SameSite_Strict_cookie_that_opens_the_overview()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        using var client = Client(controlPlane);

        using (var anonymous = await client.GetAsync("/dashboard"))
        {
            Assert.Equal(HttpStatusCode.SeeOther, anonymous.StatusCode);
            Assert.Equal("/dashboard/login", anonymous.Headers.Location?.OriginalString);
        }

        using var login = await client.PostAsync("/dashboard/login", Form(("key", ControlPlaneHost.AdminKey)));
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("ef_dashboard=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/dashboard", cookie, StringComparison.OrdinalIgnoreCase);

        // Plain HTTP on loopback: Secure would make the browser drop it; over TLS it is set.
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ControlPlaneHost.AdminKey, cookie, StringComparison.Ordinal);

        using var page = await client.SendAsync(WithCookie(HttpMethod.Get, "/dashboard", cookie));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"revenue-this\"", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        using var fragment = WithCookie(HttpMethod.Get, "/dashboard", cookie);
        fragment.Headers.Add("X-Dashboard-Fragment", "1");
        using var refreshed = await client.SendAsync(fragment);
        Assert.Equal("application/json", refreshed.Content.Headers.ContentType?.MediaType);
        var json = System.Text.Json.JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("id=\"subscribers\"", json.GetProperty("html").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_key_is_refused_and_the_eleventh_attempt_in_a_minute_gets_429()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        using var client = Client(controlPlane);
        for (var i = 0; i < 10; i++)
        {
            using var wrong = await client.PostAsync("/dashboard/login", Form(("key", "not-the-key-" + i)));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.False(wrong.Headers.Contains("Set-Cookie"));
        }

        // The right key too: the limit is on attempts, so a guesser cannot tell a hit from the answer.
        using var limited = await client.PostAsync("/dashboard/login", Form(("key", ControlPlaneHost.AdminKey)));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("60", limited.Headers.GetValues("Retry-After").Single());
        Assert.False(limited.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Logout_without_the_session_csrf_token_or_from_another_origin_is_refused()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        using var client = Client(controlPlane);
        using var login = await client.PostAsync("/dashboard/login", Form(("key", ControlPlaneHost.AdminKey)));
        var cookie = login.Headers.GetValues("Set-Cookie").Single();
        using var page = await client.SendAsync(WithCookie(HttpMethod.Get, "/dashboard", cookie));
        var html = await page.Content.ReadAsStringAsync();
        var csrf = System.Text.RegularExpressions.Regex.Match(html, "name=\"_csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(csrf);

        using (var forged = WithCookie(HttpMethod.Post, "/dashboard/logout", cookie))
        {
            forged.Content = Form(("_csrf", "forged"));
            using var refused = await client.SendAsync(forged);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var crossSite = WithCookie(HttpMethod.Post, "/dashboard/logout", cookie))
        {
            crossSite.Content = Form(("_csrf", csrf));
            crossSite.Headers.Add("Origin", "https://evil.example");
            using var refused = await client.SendAsync(crossSite);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // Still logged in after both, then logged out by the real form.
        using (var still = await client.SendAsync(WithCookie(HttpMethod.Get, "/dashboard", cookie)))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        using (var logout = WithCookie(HttpMethod.Post, "/dashboard/logout", cookie))
        {
            logout.Content = Form(("_csrf", csrf));
            using var done = await client.SendAsync(logout);
            Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        }

        using var after = await client.SendAsync(WithCookie(HttpMethod.Get, "/dashboard", cookie));
        Assert.Equal(HttpStatusCode.SeeOther, after.StatusCode);
    }

    [Fact]
    public async Task Portal_link_shows_only_its_customer_and_a_changed_or_expired_link_is_refused()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var site = await controlPlane.PostAsync("/v1/sites", new { name = "Demo", slug = "demo", originUrl = "http://127.0.0.1:9" });
        var siteId = site.Str("id");
        var plan = await controlPlane.PostAsync($"/v1/sites/{siteId}/plans", new { name = "Starter", quota = new { units = 100, period = "month", mode = "hard" } });
        Assert.Equal(HttpStatusCode.Created, (await controlPlane.PostAsync($"/v1/sites/{siteId}/tokens", new { planId = plan.Str("id"), customer = "acme" })).Status);
        Assert.Equal(HttpStatusCode.Created, (await controlPlane.PostAsync($"/v1/sites/{siteId}/tokens", new { planId = plan.Str("id"), customer = "globex" })).Status);

        Assert.Equal(HttpStatusCode.Unauthorized, (await controlPlane.SendAsync(HttpMethod.Post, $"/v1/customers/acme/portal?siteId={siteId}", null, bearer: null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await controlPlane.PostAsync($"/v1/customers/nobody/portal?siteId={siteId}", null)).Status);
        var created = await controlPlane.PostAsync($"/v1/customers/acme/portal?siteId={siteId}", null);
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        var url = created.Str("url");
        Assert.InRange(created.Json.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(24));

        using var client = new HttpClient();
        using (var page = await client.GetAsync(url))
        {
            var html = await page.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<h1 id=\"portal-customer\">acme</h1>", html, StringComparison.Ordinal);
            Assert.Contains("Starter", html, StringComparison.Ordinal);
            Assert.DoesNotContain("globex", html, StringComparison.Ordinal);
            Assert.DoesNotContain("/dashboard/sites", html, StringComparison.Ordinal);
        }

        // One character of the customer part changed: the signature no longer matches.
        var link = url[(url.LastIndexOf('/') + 1)..];
        var parts = link.Split('.');
        var tampered = url[..(url.LastIndexOf('/') + 1)] + string.Join('.', parts[0], "Z2xvYmV4", parts[2], parts[3]);
        using (var refused = await client.GetAsync(tampered))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.DoesNotContain("globex", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // An expiry moved later: refused as well (it is signed).
        var later = url[..(url.LastIndexOf('/') + 1)] + string.Join('.', parts[0], parts[1], (long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture), parts[3]);
        using (var refused = await client.GetAsync(later))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }
    }

    private static HttpClient Client(ControlPlaneHost controlPlane)
        => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(controlPlane.Url) };

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields)
        => new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static HttpRequestMessage WithCookie(HttpMethod method, string path, string setCookie)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", setCookie.Split(';')[0]);
        return request;
    }
}
