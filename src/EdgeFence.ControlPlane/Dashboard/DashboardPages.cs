namespace EdgeFence.ControlPlane.Dashboard;

/// <summary>The main part of each dashboard page, from <see cref="DashboardData"/>. Ids on elements are what the browser tests read.</summary>
internal sealed class DashboardPages
{
    private readonly DashboardData _data;
    private readonly Storage.Database _database;

    public DashboardPages(DashboardData data, Storage.Database database)
    {
        _data = data;
        _database = database;
    }

    /// <summary>The latest alert deliveries with their last status.</summary>
    public void Webhooks(Html html)
    {
        List<Webhooks.WebhookRows.DeliveryView> deliveries;
        using (var connection = _database.Open())
        {
            deliveries = ControlPlane.Webhooks.WebhookRows.Recent(connection, 100);
        }

        html.Raw("<h1>Alert deliveries</h1><table id=\"deliveries\"><tr><th>Event</th><th>Type</th><th>To</th><th>State</th><th>Attempts</th><th>Last status</th><th>Last attempt</th><th>Next attempt</th></tr>");
        foreach (var d in deliveries)
        {
            html.Raw("<tr><td><code>").Text(d.EventId).Raw("</code></td><td>").Text(d.Type).Raw("</td><td>").Text(d.Url).Raw("</td><td class=\"state\">").Text(d.State)
                .Raw("</td><td>").Number(d.Attempts).Raw("</td><td>").Text(d.LastStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? d.LastError ?? "")
                .Raw("</td><td>").Time(d.LastAttemptUnixMs is { } l ? DateTimeOffset.FromUnixTimeMilliseconds(l) : null)
                .Raw("</td><td>").Time(d.NextAttemptUnixMs is { } n ? DateTimeOffset.FromUnixTimeMilliseconds(n) : null).Raw("</td></tr>");
        }

        html.Raw("</table>");
    }

    public async Task<bool> OverviewAsync(Html html, CancellationToken cancellationToken)
    {
        var o = await _data.OverviewAsync(cancellationToken).ConfigureAwait(false);
        html.Raw("<h1>Overview</h1><div class=\"cards\">")
            .Card("Revenue this period", "revenue-this", h => h.Money(o.RevenueThisPeriod).Raw("<div class=\"sub\">since ").Time(o.PeriodStart).Raw("</div>"))
            .Card("Revenue last period", "revenue-last", h => h.Money(o.RevenueLastPeriod).Raw("<div class=\"sub\">from ").Time(o.LastPeriodStart).Raw("</div>"))
            .Card("Deposits this period", "deposits-this", h => h.Money(o.DepositsThisPeriod))
            .Card("Active subscribers", "subscribers", h => h.Number(o.ActiveSubscribers))
            .Card("Requests, 24 h", "requests", h => h.Number(o.Traffic.Sum(p => p.Requests)))
            .Card("Denied, 24 h", "denied", h => h.Number(o.Traffic.Sum(p => p.Denied)))
            .Raw("</div>");
        Note(html, o.TrafficNote);
        html.Raw("<h2>Requests and denials, last 24 h</h2>");
        SvgChart.Traffic(html, o.Traffic, "traffic");
        html.Raw("<h2>Top customers, 24 h</h2>");
        TopCustomers(html, o.TopCustomers);
        html.Raw("<h2>Sites</h2><table id=\"sites\"><tr><th>Site</th><th>Slug</th><th>Plans</th><th>Live tokens</th></tr>");
        foreach (var s in o.Sites)
        {
            html.Raw("<tr><td>").Link(Html.Path("/dashboard/sites", s.Id), s.Name).Raw("</td><td>").Text(s.Slug).Raw("</td><td>").Number(s.Plans).Raw("</td><td>").Number(s.ActiveTokens).Raw("</td></tr>");
        }

        html.Raw("</table>");
        return true;
    }

    public async Task<bool> SiteAsync(Html html, string siteId, CancellationToken cancellationToken)
    {
        var s = await _data.SiteAsync(siteId, cancellationToken).ConfigureAwait(false);
        if (s is null)
        {
            html.Raw("<h1>No such site</h1>");
            return false;
        }

        html.Raw("<h1>").Text(s.Name).Raw("</h1><p class=\"sub\">").Text(s.Slug).Raw(" → ").Text(s.OriginUrl).Raw("</p><div class=\"cards\">")
            .Card("Revenue this period", "revenue-this", h => h.Money(s.RevenueThisPeriod))
            .Card("Requests, 24 h", "requests", h => h.Number(s.Traffic.Sum(p => p.Requests)))
            .Card("Denied, 24 h", "denied", h => h.Number(s.Traffic.Sum(p => p.Denied)))
            .Raw("</div>");
        Note(html, s.TrafficNote);
        SvgChart.Traffic(html, s.Traffic, "traffic");
        html.Raw("<h2>Plans</h2><table id=\"plans\"><tr><th>Plan</th><th>Live tokens</th></tr>");
        foreach (var (id, name, tokens) in s.Plans)
        {
            html.Raw("<tr><td>").Link(Html.Path("/dashboard/plans", id), name).Raw("</td><td>").Number(tokens).Raw("</td></tr>");
        }

        html.Raw("</table><h2>Top customers, 24 h</h2>");
        TopCustomers(html, s.TopCustomers);
        return true;
    }

    public async Task<bool> PlanAsync(Html html, string planId, CancellationToken cancellationToken)
    {
        var p = await _data.PlanAsync(planId, cancellationToken).ConfigureAwait(false);
        if (p is null)
        {
            html.Raw("<h1>No such plan</h1>");
            return false;
        }

        html.Raw("<h1>").Text(p.Name).Raw("</h1><p class=\"sub\">").Link(Html.Path("/dashboard/sites", p.SiteId), p.SiteName).Raw(" · ")
            .Raw(p.Quota is { } q ? $"{q:N0} units per {p.Period}, {p.Mode}" : "no quota").Raw(" · ").Money(p.PriceMicros, p.Currency).Raw("</p>");
        html.Raw("<h2>Quota used this period, live tokens</h2>");
        if (!p.UsageKnown)
        {
            Note(html, "usage is read from the edges' ledger in Redis, and ControlPlane:Redis is not set");
        }

        SvgChart.Columns(html, p.Distribution, "distribution");
        html.Raw("<table id=\"distribution-table\"><tr>");
        foreach (var (label, _) in p.Distribution)
        {
            html.Raw("<th>").Text(label).Raw("</th>");
        }

        html.Raw("</tr><tr>");
        foreach (var (_, count) in p.Distribution)
        {
            html.Raw("<td>").Number(count).Raw("</td>");
        }

        html.Raw("</tr></table><h2>Tokens</h2>");
        Tokens(html, p.Tokens);
        return true;
    }

    public async Task<bool> CustomerAsync(Html html, string siteId, string customer, CancellationToken cancellationToken)
    {
        var c = await _data.CustomerAsync(siteId, customer, withTraffic: true, cancellationToken).ConfigureAwait(false);
        if (c is null)
        {
            html.Raw("<h1>No such customer</h1>");
            return false;
        }

        html.Raw("<h1>").Text(c.Customer).Raw("</h1><p class=\"sub\">").Link(Html.Path("/dashboard/sites", c.SiteId), c.SiteName).Raw("</p>");
        Balances(html, c.Balances);
        html.Raw("<h2>Requests, last 24 h</h2>");
        Note(html, c.TrafficNote);
        SvgChart.Traffic(html, c.Traffic, "traffic");
        html.Raw("<h2>Tokens</h2>");
        Tokens(html, c.Tokens);
        return true;
    }

    public void Edges(Html html)
    {
        var e = _data.Edges();
        html.Raw("<h1>Edges</h1><div class=\"cards\">")
            .Card("Latest snapshot", "latest-snapshot", h => h.Number(e.LatestSnapshot))
            .Card("Latest wallet book", "latest-wallets", h => h.Number(e.LatestWallets))
            .Card("Redis", "redis", h => h.Text(e.Redis))
            .Raw("</div><table id=\"edges\"><tr><th>Edge</th><th>Snapshot served</th><th>Wallet book</th><th>Last result</th><th>Last push</th><th>Failures in a row</th></tr>");
        foreach (var edge in e.Edges)
        {
            var behind = edge.SnapshotApplied != e.LatestSnapshot;
            html.Raw(behind ? "<tr class=\"behind\"><td>" : "<tr><td>").Text(edge.Url).Raw("</td><td>").NumberOrUnknown(edge.SnapshotApplied).Raw("</td><td>").NumberOrUnknown(edge.WalletsApplied)
                .Raw("</td><td>").Text(edge.LastResult ?? "not tried yet").Raw("</td><td>").Time(edge.LastSuccessAt).Raw("</td><td>").Number(edge.ConsecutiveFailures).Raw("</td></tr>");
        }

        html.Raw("</table>");
        if (e.Edges.Count == 0)
        {
            Note(html, "no edges configured (ControlPlane:Edges)");
        }
    }

    public async Task<bool> DecisionAsync(Html html, string siteId, string requestId, CancellationToken cancellationToken)
    {
        html.Raw("<h1>Decision log</h1><form method=\"get\" action=\"/dashboard/decisions\" class=\"search\"><label>Site id <input name=\"siteId\" value=\"").Text(siteId)
            .Raw("\"></label><label>Request id <input name=\"requestId\" value=\"").Text(requestId).Raw("\"></label><button type=\"submit\">Find</button></form>");
        if (siteId.Length == 0 || requestId.Length == 0)
        {
            html.Raw("<p class=\"sub\">Finds one decision of the last 24 h in a site's decision stream (Redis) by its request id (<code>X-EdgeFence-Request-Id</code>).</p>");
            return true;
        }

        if (!_data.UsageKnown)
        {
            Note(html, "the decision log is searched in the edges' Redis streams, and ControlPlane:Redis is not set; each edge's NDJSON files have every decision");
            return true;
        }

        var found = await _data.DecisionAsync(siteId, requestId, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            html.Raw("<p id=\"decision-none\">No decision with that request id in the last 24 h.</p>");
            return true;
        }

        html.Raw("<table id=\"decision\">");
        foreach (var (name, value) in found.Fields)
        {
            html.Raw("<tr><th>").Text(name).Raw("</th><td>").Text(value).Raw("</td></tr>");
        }

        html.Raw("</table>");
        return true;
    }

    public static void Balances(Html html, IReadOnlyList<BalanceView> balances)
    {
        html.Raw("<h2>Balance</h2>");
        if (balances.Count == 0)
        {
            html.Raw("<p class=\"sub\" id=\"no-balance\">No prepaid balance.</p>");
            return;
        }

        html.Raw("<table id=\"balances\"><tr><th>Currency</th><th>Credited</th><th>Spent</th><th>Balance</th></tr>");
        foreach (var b in balances)
        {
            html.Raw("<tr><td>").Text(b.Currency).Raw("</td><td>").Money(b.CreditedMicros, b.Currency).Raw("</td><td>");
            if (b.DebitedMicros is { } d)
            {
                html.Money(d, b.Currency).Raw("</td><td class=\"balance\">").Money(b.BalanceMicros!.Value, b.Currency);
            }
            else
            {
                html.NumberOrUnknown(null).Raw("</td><td>").NumberOrUnknown(null);
            }

            html.Raw("</td></tr>");
        }

        html.Raw("</table>");
    }

    private static void Tokens(Html html, IReadOnlyList<TokenUsage> tokens)
    {
        html.Raw("<table id=\"tokens\"><tr><th>Token</th><th>Customer</th><th>Plan</th><th>Used</th><th>Quota</th><th>Period ends</th><th>State</th></tr>");
        foreach (var t in tokens)
        {
            html.Raw("<tr><td><code>").Text(t.TokenId).Raw("</code></td><td>").Link(Html.Path("/dashboard/sites", t.SiteId, "customers", t.Customer), t.Customer)
                .Raw("</td><td>").Link(Html.Path("/dashboard/plans", t.PlanId), t.PlanName).Raw("</td><td class=\"used\">").NumberOrUnknown(t.Used).Raw("</td><td>")
                .Raw(t.Quota is { } q ? "" : "none");
            if (t.Quota is { } quota)
            {
                html.Number(quota);
            }

            html.Raw("</td><td>").Time(t.PeriodEnd).Raw("</td><td>").Text(t.Revoked ? "revoked" : "live").Raw("</td></tr>");
        }

        html.Raw("</table>");
    }

    private static void TopCustomers(Html html, IReadOnlyList<CustomerTraffic> customers)
    {
        html.Raw("<table id=\"top-customers\"><tr><th>Customer</th><th>Requests</th><th>Units</th><th>Denied</th></tr>");
        foreach (var c in customers)
        {
            html.Raw("<tr><td>").Link(Html.Path("/dashboard/sites", c.SiteId, "customers", c.Customer), c.Customer).Raw("</td><td>").Number(c.Requests)
                .Raw("</td><td>").Number(c.Units).Raw("</td><td>").Number(c.Denied).Raw("</td></tr>");
        }

        html.Raw("</table>");
    }

    private static void Note(Html html, string? note)
    {
        if (note is not null)
        {
            html.Raw("<p class=\"note\">").Text(note).Raw("</p>");
        }
    }
}
