using System.Text.Json;
using EdgeFence.ControlPlane.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Dashboard;

/// <summary>
/// <c>/dashboard</c>: server-rendered pages behind a login that exchanges the admin key for a session cookie
/// (<see cref="DashboardSessions"/>). Pages: overview, site, plan, customer, edges, decision search. A page asked
/// with <c>X-Dashboard-Fragment: 1</c> answers <c>{"html": …}</c>, its main part only: <c>dashboard.js</c> refreshes
/// the page with it every few seconds, without a full load.
/// </summary>
/// <remarks>
/// CSRF: the cookie is <c>SameSite=Strict</c>, every POST from a page carries the session's token (compared in
/// constant time), and a POST whose <c>Origin</c> is another site's is refused. The pages run no inline script and
/// load nothing from elsewhere (the Content-Security-Policy says so to the browser).
/// </remarks>
internal sealed class DashboardEndpoints
{
    /// <summary>Writes a page's main part; false when what it shows does not exist (404).</summary>
    private delegate Task<bool> PageRenderer(Html html, CancellationToken cancellationToken);

    public const string FragmentHeader = "X-Dashboard-Fragment";
    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private readonly ApiKey _adminKey;
    private readonly DashboardSessions _sessions;
    private readonly LoginThrottle _throttle;
    private readonly DashboardPages _pages;

    public DashboardEndpoints(ApiKey adminKey, DashboardSessions sessions, LoginThrottle throttle, DashboardPages pages)
    {
        _adminKey = adminKey;
        _sessions = sessions;
        _throttle = throttle;
        _pages = pages;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard/login", context => WriteAsync(context, 200, "Log in", LoginForm(null), null));
        app.MapPost("/dashboard/login", LoginAsync);
        app.MapPost("/dashboard/logout", LogoutAsync);
        app.MapGet("/dashboard/assets/{name}", DashboardAssets.ServeAsync);
        app.MapGet("/dashboard", OverviewAsync);
        app.MapGet("/dashboard/sites/{id}", SiteAsync);
        app.MapGet("/dashboard/plans/{id}", PlanAsync);
        app.MapGet("/dashboard/sites/{id}/customers/{customer}", CustomerAsync);
        app.MapGet("/dashboard/edges", EdgesAsync);
        app.MapGet("/dashboard/decisions", DecisionsAsync);
        app.MapGet("/dashboard/webhooks", WebhooksAsync);
    }

    private Task OverviewAsync(HttpContext context) => PageAsync(context, "Overview", _pages.OverviewAsync);

    private Task SiteAsync(HttpContext context) => PageAsync(context, "Site", new PageRenderer((html, ct) => _pages.SiteAsync(html, Route(context, "id"), ct)));

    private Task PlanAsync(HttpContext context) => PageAsync(context, "Plan", new PageRenderer((html, ct) => _pages.PlanAsync(html, Route(context, "id"), ct)));

    private Task CustomerAsync(HttpContext context) => PageAsync(context, "Customer", new PageRenderer((html, ct) => _pages.CustomerAsync(html, Route(context, "id"), Route(context, "customer"), ct)));

    private Task EdgesAsync(HttpContext context) => PageAsync(context, "Edges", new PageRenderer((html, _) =>
    {
        _pages.Edges(html);
        return Task.FromResult(true);
    }));

    private Task WebhooksAsync(HttpContext context) => PageAsync(context, "Alerts", new PageRenderer((html, _) =>
    {
        _pages.Webhooks(html);
        return Task.FromResult(true);
    }));

    private Task DecisionsAsync(HttpContext context) => PageAsync(context, "Decision log", new PageRenderer((html, ct) =>
        _pages.DecisionAsync(html, context.Request.Query["siteId"].ToString(), context.Request.Query["requestId"].ToString(), ct)));

    private static string Route(HttpContext context, string name) => context.GetRouteValue(name) as string ?? "";

    private async Task LoginAsync(HttpContext context)
    {
        if (!SameOrigin(context))
        {
            await WriteAsync(context, 403, "Log in", LoginForm("This form was posted from another site."), null).ConfigureAwait(false);
            return;
        }

        // :: Step 1: the attempt is counted before the key is looked at (LoginThrottle names the threat).
        if (!_throttle.TryAcquire(context.Connection.RemoteIpAddress))
        {
            context.Response.Headers.RetryAfter = "60";
            await WriteAsync(context, 429, "Log in", LoginForm("Too many attempts: wait a minute."), null).ConfigureAwait(false);
            return;
        }

        // :: Step 2: the admin key, hashed and compared in constant time (ApiKey).
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false) : null;
        var key = form?["key"].ToString() ?? "";
        if (key.Length == 0 || key.Length > 512 || !_adminKey.Matches(key))
        {
            await WriteAsync(context, 401, "Log in", LoginForm("That is not the admin key."), null).ConfigureAwait(false);
            return;
        }

        // :: Step 3: a session; the cookie is HttpOnly, SameSite=Strict, Secure when the request came over TLS.
        var (value, _) = _sessions.Create();
        context.Response.Cookies.Append(DashboardSessions.CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/dashboard",
            MaxAge = DashboardSessions.Lifetime,
        });
        context.Response.Redirect("/dashboard", permanent: false);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    private async Task LogoutAsync(HttpContext context)
    {
        var cookie = context.Request.Cookies[DashboardSessions.CookieName];
        var csrf = _sessions.Find(cookie);
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false) : null;
        if (csrf is null || !SameOrigin(context) || !DashboardSessions.CsrfMatches(csrf, form?["_csrf"].ToString()))
        {
            await WriteAsync(context, 403, "Forbidden", new Html().Raw("<p>This form is not from your session.</p>"), null).ConfigureAwait(false);
            return;
        }

        _sessions.End(cookie);
        context.Response.Cookies.Delete(DashboardSessions.CookieName, new CookieOptions { Path = "/dashboard", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
        context.Response.Redirect("/dashboard/login", permanent: false);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    private async Task PageAsync(HttpContext context, string title, PageRenderer render)
    {
        var fragment = context.Request.Headers[FragmentHeader] == "1";
        var csrf = _sessions.Find(context.Request.Cookies[DashboardSessions.CookieName]);
        if (csrf is null)
        {
            if (fragment)
            {
                context.Response.StatusCode = 401;
                return;
            }

            context.Response.Redirect("/dashboard/login", permanent: false);
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            return;
        }

        var html = new Html();
        var found = await render(html, context.RequestAborted).ConfigureAwait(false);
        var status = found ? 200 : 404;
        if (fragment)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.Headers.CacheControl = "no-store";
            await using var writer = new Utf8JsonWriter(context.Response.Body);
            writer.WriteStartObject();
            writer.WriteString("html", html.ToString());
            writer.WriteEndObject();
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, status, title, html, csrf).ConfigureAwait(false);
    }

    private static Html LoginForm(string? error)
    {
        var html = new Html().Raw("<section class=\"login\"><h1>EdgeFence dashboard</h1>");
        if (error is not null)
        {
            html.Raw("<p class=\"error\" id=\"login-error\">").Text(error).Raw("</p>");
        }

        return html.Raw("<form method=\"post\" action=\"/dashboard/login\"><label>Admin key <input type=\"password\" name=\"key\" id=\"key\" autocomplete=\"current-password\" required></label>")
            .Raw("<button type=\"submit\" id=\"login\">Log in</button></form></section>");
    }

    /// <summary>The whole page: head, navigation (with the logout form when logged in), main.</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, Html main, string? csrf, bool navigation = true)
    {
        var page = new Html().Raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<title>").Text(title).Raw(" · EdgeFence</title><link rel=\"stylesheet\" href=\"/dashboard/assets/dashboard.css\"><script defer src=\"/dashboard/assets/dashboard.js\"></script></head><body>");
        if (csrf is not null && navigation)
        {
            page.Raw("<nav><a class=\"brand\" href=\"/dashboard\">EdgeFence</a><a href=\"/dashboard\">Overview</a><a href=\"/dashboard/edges\">Edges</a><a href=\"/dashboard/decisions\">Decision log</a><a href=\"/dashboard/webhooks\">Alerts</a>")
                .Raw("<form method=\"post\" action=\"/dashboard/logout\"><input type=\"hidden\" name=\"_csrf\" value=\"").Text(csrf).Raw("\"><button type=\"submit\" id=\"logout\">Log out</button></form></nav>");
        }

        page.Raw("<main data-refresh=\"").Raw(csrf is not null && navigation ? "10" : "0").Raw("\">").Raw(main.ToString()).Raw("</main></body></html>");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        // same-origin, not no-referrer: with no-referrer a browser posts forms with "Origin: null", which SameOrigin refuses.
        context.Response.Headers["Referrer-Policy"] = "same-origin";
        return context.Response.WriteAsync(page.ToString(), context.RequestAborted);
    }

    /// <summary>A POST with no <c>Origin</c> (older clients, curl) or our own; another site's is refused.</summary>
    private static bool SameOrigin(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}
