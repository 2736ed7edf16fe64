using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.ControlPlane.Tests.Prices;
using EdgeFence.Edge.Tests.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace EdgeFence.ControlPlane.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's chromium through chromium-driver): log in, the overview after real
/// traffic through a real edge shows the ledger's numbers, a plan page, a customer's portal link. Each page is
/// written as a PNG to <c>artifacts/screenshots/</c> (or <c>$EDGEFENCE_SCREENSHOTS</c>: scripts/screenshots.sh).
/// </summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task Overview_after_real_traffic_shows_the_ledger_numbers_and_the_plan_and_portal_pages_render()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var stack = await TestStack.StartAsync(redis: redis.ConnectionString, edgeArgs: ["--EdgeFence:LeaseTimeoutMs=5000"], controlPlaneArgs: ["--ControlPlane:AlertIntervalSeconds=1"]);
        await using var receiver = await AlertReceiver.StartAsync();

        // :: A prepaid plan (0.0025 USD a call) and a quota plan (10 units a month), a customer on each.
        var site = await stack.ControlPlane.PostAsync("/v1/sites", new { name = "Demo API", slug = "demo", originUrl = stack.Origin.Url, hosts = new[] { TestSnapshot.SiteHost }, topUpUrl = PriceTerms.TopUpUrl });
        Assert.True(site.Status == HttpStatusCode.Created, site.ToString());
        var siteId = site.Str("id");
        var resource = await stack.ControlPlane.PostAsync($"/v1/sites/{siteId}/resources", new { pattern = "/api/*" });
        Assert.True(resource.Status == HttpStatusCode.Created, resource.ToString());
        var prepaid = await stack.ControlPlane.PostAsync($"/v1/sites/{siteId}/plans", $$$"""{"name":"Prepaid","billing":"prepaid","resourcePrices":{"{{{resource.Str("id")}}}":0.0025}}""");
        Assert.True(prepaid.Status == HttpStatusCode.Created, prepaid.ToString());
        var starter = await stack.ControlPlane.PostAsync($"/v1/sites/{siteId}/plans", new { name = "Starter", quota = new { units = 10, period = "month", mode = "hard" } });
        Assert.True(starter.Status == HttpStatusCode.Created, starter.ToString());
        var acme = await stack.ControlPlane.PostAsync($"/v1/sites/{siteId}/tokens", new { planId = prepaid.Str("id"), customer = "acme co" });
        var globex = await stack.ControlPlane.PostAsync($"/v1/sites/{siteId}/tokens", new { planId = starter.Str("id"), customer = "globex" });
        Assert.Equal(HttpStatusCode.Created, globex.Status);
        await Wallets.Deposits.CreditAsync(stack.ControlPlane, "acme co", siteId, 20_000, "USD", "top-up-1");
        var webhook = await stack.ControlPlane.PostAsync($"/v1/sites/{siteId}/webhooks", new { url = receiver.Url, events = new[] { "quota.threshold", "balance.low" } });
        Assert.True(webhook.Status == HttpStatusCode.Created, webhook.ToString());

        // :: Real traffic: 3 paid calls, 9 quota units, 2 refused (no token).
        var statuses = new List<HttpStatusCode>();
        foreach (var token in Enumerable.Repeat(acme.Str("token"), 3).Concat(Enumerable.Repeat(globex.Str("token"), 9)).Append(null).Append(null))
        {
            using var response = await stack.Edge.GetAsync("/api/hello", token);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(12, statuses.Count(s => s == HttpStatusCode.OK));

        // A graceful stop writes every queued decision and pushes every count before it returns.
        await stack.Edge.StopAsync();
        var ledger = await stack.ControlPlane.GetAsync($"/v1/customers/{Uri.EscapeDataString("acme co")}/ledger?siteId={siteId}");
        Assert.True(ledger.Status == HttpStatusCode.OK, ledger.ToString());
        var debited = ledger.Json.GetProperty("debits")[0].GetProperty("debitedMicros").GetInt64();
        Assert.Equal(7_500, debited);

        // :: Alerts from the same numbers: globex at 90% of its quota (80% crossed, 100% not), acme's balance under 1.00.
        var alerts = await receiver.WaitForAsync(2, webhook.Str("secret"));
        var quota = Assert.Single(alerts, a => a.GetProperty("type").GetString() == "quota.threshold");
        Assert.Equal(80, quota.GetProperty("data").GetProperty("percent").GetInt32());
        Assert.Equal("globex", quota.GetProperty("data").GetProperty("customer").GetString());
        var low = Assert.Single(alerts, a => a.GetProperty("type").GetString() == "balance.low");
        // Under 1.00 from the deposit on (20,000 micros): raised once per credited total, whenever the monitor first saw it.
        Assert.InRange(low.GetProperty("data").GetProperty("balanceMicros").GetInt64(), 20_000 - debited, 20_000);
        Assert.Equal("acme co", low.GetProperty("data").GetProperty("customer").GetString());

        using var browser = Browser.Start();
        var driver = browser.Driver;

        // :: Log in through the form.
        driver.Navigate().GoToUrl(stack.ControlPlane.Url + "/dashboard");
        Assert.EndsWith("/dashboard/login", driver.Url, StringComparison.Ordinal);
        browser.Screenshot("login");
        driver.FindElement(By.Id("key")).SendKeys(ControlPlaneHost.AdminKey);
        driver.FindElement(By.Id("login")).Click();
        browser.WaitFor(() => driver.FindElements(By.Id("revenue-this")).Count > 0);
        browser.WaitFor(() => driver.FindElement(By.TagName("html")).GetAttribute("data-formatted") == "1");

        // :: Overview: revenue this period is the ledger's debits, deposits the ledger's deposits.
        Assert.Equal(debited.ToString(System.Globalization.CultureInfo.InvariantCulture), driver.FindElement(By.CssSelector("#revenue-this [data-micros]")).GetAttribute("data-micros"));
        Assert.Equal("USD", driver.FindElement(By.CssSelector("#revenue-this [data-micros]")).GetAttribute("data-currency"));
        Assert.Contains("0.0075", driver.FindElement(By.CssSelector("#revenue-this [data-micros]")).Text, StringComparison.Ordinal);
        Assert.Equal("20000", driver.FindElement(By.CssSelector("#deposits-this [data-micros]")).GetAttribute("data-micros"));
        Assert.Equal("2", driver.FindElement(By.CssSelector("#subscribers [data-num]")).GetAttribute("data-num"));
        Assert.Equal("14", driver.FindElement(By.CssSelector("#requests [data-num]")).GetAttribute("data-num"));
        Assert.Equal("2", driver.FindElement(By.CssSelector("#denied [data-num]")).GetAttribute("data-num"));
        var bars = driver.FindElements(By.CssSelector("#traffic g.bar"));
        Assert.Equal(24, bars.Count);
        Assert.Equal(14, bars.Sum(b => int.Parse(b.GetAttribute("data-requests")!, System.Globalization.CultureInfo.InvariantCulture)));
        var top = driver.FindElements(By.CssSelector("#top-customers tr td:first-child"));
        Assert.Equal(["globex", "acme co"], top.Select(t => t.Text).ToArray());
        browser.Screenshot("overview");

        // :: The page refreshes itself from a fragment, without a full load.
        browser.WaitFor(() => driver.FindElement(By.TagName("main")).GetAttribute("data-refreshed") is "1" or "2" or "3", TimeSpan.FromSeconds(30));

        // :: The site and the plan pages: globex used 9 of 10 units, in the 80–100% column.
        driver.FindElement(By.LinkText("Demo API")).Click();
        browser.WaitFor(() => driver.FindElements(By.Id("plans")).Count > 0);
        browser.Screenshot("site");
        driver.FindElement(By.LinkText("Starter")).Click();
        browser.WaitFor(() => driver.FindElements(By.Id("distribution")).Count > 0);
        var columns = driver.FindElements(By.CssSelector("#distribution g.column")).Select(c => c.GetAttribute("data-count") ?? "").ToArray();
        Assert.Equal(["0", "0", "1", "0"], columns);
        Assert.Equal("9", driver.FindElement(By.CssSelector("#tokens td.used [data-num]")).GetAttribute("data-num"));
        browser.Screenshot("plan");

        // :: The customer page: balance = deposits − debits.
        driver.Navigate().GoToUrl($"{stack.ControlPlane.Url}/dashboard/sites/{siteId}/customers/{Uri.EscapeDataString("acme co")}");
        browser.WaitFor(() => driver.FindElements(By.Id("balances")).Count > 0);
        Assert.Equal("12500", driver.FindElement(By.CssSelector("#balances td.balance [data-micros]")).GetAttribute("data-micros"));
        browser.Screenshot("customer");

        driver.Navigate().GoToUrl($"{stack.ControlPlane.Url}/dashboard/edges");
        browser.WaitFor(() => driver.FindElements(By.Id("edges")).Count > 0);
        Assert.Single(driver.FindElements(By.CssSelector("#edges tr td:first-child")));
        browser.Screenshot("edges");

        driver.Navigate().GoToUrl($"{stack.ControlPlane.Url}/dashboard/webhooks");
        browser.WaitFor(() => driver.FindElements(By.CssSelector("#deliveries td.state")).Count == 2);
        Assert.All(driver.FindElements(By.CssSelector("#deliveries td.state")), cell => Assert.Equal("delivered", cell.Text));
        browser.Screenshot("webhooks");

        // :: A customer portal link, opened in the same browser: that customer's numbers only.
        var portal = await stack.ControlPlane.PostAsync($"/v1/customers/globex/portal?siteId={siteId}", null);
        Assert.True(portal.Status == HttpStatusCode.Created, portal.ToString());
        driver.Navigate().GoToUrl(portal.Str("url"));
        browser.WaitFor(() => driver.FindElements(By.Id("portal-customer")).Count > 0);
        Assert.Equal("globex", driver.FindElement(By.Id("portal-customer")).Text);
        Assert.Equal("9", driver.FindElement(By.CssSelector("#portal-usage td.used [data-num]")).GetAttribute("data-num"));
        Assert.Equal("1", driver.FindElement(By.CssSelector("#portal-usage td.remaining [data-num]")).GetAttribute("data-num"));
        Assert.DoesNotContain("acme", driver.PageSource, StringComparison.Ordinal);
        browser.Screenshot("portal");

        driver.Navigate().GoToUrl(portal.Str("url")[..^2] + "xx");
        browser.WaitFor(() => driver.FindElements(By.Id("portal-refused")).Count > 0);
    }

    /// <summary>Headless chromium through chromium-driver, and where its screenshots go.</summary>
    private sealed class Browser : IDisposable
    {
        private readonly string _directory;

        private Browser(ChromeDriver driver, string directory)
        {
            Driver = driver;
            _directory = directory;
        }

        public ChromeDriver Driver { get; }

        public static Browser Start()
        {
            // Selenium Manager would try to download a driver: the Debian one is given, and nothing is fetched.
            Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
            var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
            service.SuppressInitialDiagnosticInformation = true;
            service.HideCommandPromptWindow = true;
            var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US");
            var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(120));
            var directory = Environment.GetEnvironmentVariable("EDGEFENCE_SCREENSHOTS") is { Length: > 0 } d ? d : Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
            Directory.CreateDirectory(directory);
            return new Browser(driver, directory);
        }

        public void Screenshot(string name) => Driver.GetScreenshot().SaveAsFile(Path.Combine(_directory, name + ".png"));

        /// <summary>Polls <paramref name="condition"/> until it holds; fails with the page's source when it never does.</summary>
        public void WaitFor(Func<bool> condition, TimeSpan? timeout = null)
        {
            var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
            while (true)
            {
                try
                {
                    if (condition())
                    {
                        return;
                    }
                }
                catch (WebDriverException)
                {
                    // Stale or not yet there: look again.
                }

                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"condition never held on {Driver.Url}:\n{Driver.PageSource}");
                }

                Thread.Sleep(100);
            }
        }

        public void Dispose() => Driver.Quit();

        private static string RepositoryRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EdgeFence.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? Directory.GetCurrentDirectory();
        }
    }
}
