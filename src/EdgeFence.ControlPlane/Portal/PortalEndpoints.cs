using System.Globalization;
using System.Text.Json;
using EdgeFence.ControlPlane.Dashboard;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeFence.ControlPlane.Portal;

/// <summary>
/// The customer portal. <c>POST /v1/customers/{id}/portal?siteId=…[&amp;hours=…]</c> (admin key) answers
/// <c>{"url", "expiresAt"}</c>, a signed link the API owner hands to that customer; <c>GET /portal/{link}</c> shows the
/// customer their plan, usage, remaining quota and balance at that site, nothing else (no other customer, no
/// token ids beyond their own, no navigation into the dashboard). A tampered or expired link gets 404.
/// </summary>
internal sealed class PortalEndpoints
{
    private readonly PortalLinks _links;
    private readonly DashboardData _data;

    public PortalEndpoints(PortalLinks links, DashboardData data)
    {
        _links = links;
        _data = data;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/customers/{id}/portal", CreateAsync);
        app.MapGet("/portal/{link}", ShowAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var customer = RouteValues.Id(context);
        var siteId = context.Request.Query["siteId"].ToString();
        if (siteId.Length == 0)
        {
            throw ApiProblemException.Invalid("siteId", "required query parameter: a customer is per site");
        }

        var lifetime = PortalLinks.DefaultLifetime;
        var hours = context.Request.Query["hours"].ToString();
        if (hours.Length > 0)
        {
            if (!int.TryParse(hours, NumberStyles.None, CultureInfo.InvariantCulture, out var h) || h < 1 || h > PortalLinks.MaxLifetime.TotalHours)
            {
                throw ApiProblemException.Invalid("hours", $"must be a whole number between 1 and {PortalLinks.MaxLifetime.TotalHours}");
            }

            lifetime = TimeSpan.FromHours(h);
        }

        if (await _data.CustomerAsync(siteId, customer, withTraffic: false, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw ApiProblemException.NotFound("customer with tokens or a balance at site " + siteId + ":", customer);
        }

        var (link, expires) = _links.Create(siteId, customer, lifetime);
        var url = $"{context.Request.Scheme}://{context.Request.Host}/portal/{link}";
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("url", url);
        writer.WriteString("expiresAt", expires);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private async Task ShowAsync(HttpContext context)
    {
        // :: Step 1: the link's signature and expiry, before anything is read.
        var opened = _links.Open(context.GetRouteValue("link") as string ?? "");
        var view = opened is { } who ? await _data.CustomerAsync(who.SiteId, who.Customer, withTraffic: false, context.RequestAborted).ConfigureAwait(false) : null;
        if (view is null)
        {
            await DashboardEndpoints.WriteAsync(context, 404, "Link not valid", new Html().Raw("<section class=\"login\"><h1 id=\"portal-refused\">This link is not valid</h1><p>It has expired or was changed. Ask for a new one.</p></section>"), null).ConfigureAwait(false);
            return;
        }

        // :: Step 2: this customer's plan, usage, remaining quota and balance; nothing else.
        var html = new Html().Raw("<h1 id=\"portal-customer\">").Text(view.Customer).Raw("</h1><p class=\"sub\">").Text(view.SiteName).Raw("</p>");
        html.Raw("<h2>Your plans</h2><table id=\"portal-usage\"><tr><th>Plan</th><th>Used this period</th><th>Remaining</th><th>Quota</th><th>Period ends</th></tr>");
        foreach (var t in view.Tokens.Where(t => !t.Revoked))
        {
            html.Raw("<tr><td>").Text(t.PlanName).Raw("</td><td class=\"used\">").NumberOrUnknown(t.Used).Raw("</td><td class=\"remaining\">");
            if (t.Quota is { } q)
            {
                html.NumberOrUnknown(t.Used is { } u ? Math.Max(0, q - u) : null).Raw("</td><td>").Number(q);
            }
            else
            {
                html.Raw("unlimited</td><td>none");
            }

            html.Raw("</td><td>").Time(t.PeriodEnd).Raw("</td></tr>");
        }

        html.Raw("</table>");
        DashboardPages.Balances(html, view.Balances);
        html.Raw("<p class=\"sub\">This page was made for you alone; do not share its address.</p>");
        await DashboardEndpoints.WriteAsync(context, 200, "Your usage", html, null, navigation: false).ConfigureAwait(false);
    }
}
