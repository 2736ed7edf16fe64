using System.Text;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Validation;

namespace EdgeFence.Core.Tests.Validation;

public class SnapshotValidatorTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("test-hmac-secret-of-at-least-32-bytes!!");

    [Fact]
    public void Valid_snapshot_has_no_errors()
    {
        Assert.Empty(SnapshotValidator.Validate(new Parts().Build()));
    }

    [Fact]
    public void Valid_snapshot_with_boundary_values_has_no_errors()
    {
        var errors = Errors(p =>
        {
            p.Sites[0] = MakeSite(hmacSecret: new byte[SnapshotValidator.MinHmacSecretLength], slug: new string('a', 63));
            p.Plans[0] = MakePlan(quotaUnits: 0, rateLimitRequests: 1, windowSeconds: 1, priceMicros: 0);
            p.Plans[1] = MakePlan(id: "plan-a2", windowSeconds: 86_400, rateLimitRequests: null, quotaUnits: null);
            p.Resources[0] = MakeResource(cost: 0);
            p.Tokens[0] = MakeToken(customer: " !~ printable ASCII " + new string('x', 200), expiresAtUnix: 0);
        });

        Assert.Empty(errors);
    }

    // ---- version ----

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Non_positive_version_is_an_error(long version)
    {
        AssertSingleError("version: must be positive", p => p.Version = version);
    }

    // ---- sites ----

    [Fact]
    public void Duplicate_site_id_is_an_error()
    {
        AssertSingleError(
            "sites[2].id: duplicate site id 'site-a'",
            p => p.Sites.Add(MakeSite(id: "site-a", slug: "gamma", hosts: ["gamma.example"])));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Alpha")]
    [InlineData("-alpha")]
    [InlineData("al_pha")]
    [InlineData("al pha")]
    [InlineData("al/pha")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 64 characters
    public void Malformed_slug_is_an_error(string slug)
    {
        AssertSingleError(
            "sites[0].slug: must be 1-63 lower-case letters, digits or '-', starting with a letter or digit",
            p => p.Sites[0] = MakeSite(slug: slug));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("healthz")]
    [InlineData("readyz")]
    [InlineData("metrics")]
    public void Reserved_slug_is_an_error(string slug)
    {
        AssertSingleError($"sites[0].slug: '{slug}' is reserved by the edge", p => p.Sites[0] = MakeSite(slug: slug));
    }

    [Fact]
    public void Duplicate_slug_is_an_error()
    {
        AssertSingleError(
            "sites[1].slug: duplicate slug 'alpha'",
            p => p.Sites[1] = MakeSite(id: "site-b", slug: "alpha", hosts: ["api.beta.example"]));
    }

    [Theory]
    [InlineData("ftp://origin.internal/base")]
    [InlineData("file:///etc/passwd")]
    [InlineData("origin.internal")]
    [InlineData("/relative/path")]
    [InlineData("")]
    [InlineData("https://origin.internal/base?key=1")]
    [InlineData("https://origin.internal/base#fragment")]
    [InlineData("https://user:password@origin.internal/base")]
    [InlineData("https://user@origin.internal/")]
    public void Origin_url_that_is_not_plain_absolute_http_is_an_error(string originUrl)
    {
        AssertSingleError(
            "sites[0].originUrl: must be an absolute http(s) URL without query, fragment or credentials",
            p => p.Sites[0] = MakeSite(originUrl: originUrl));
    }

    [Theory]
    [InlineData("http://origin.internal")]
    [InlineData("http://10.0.0.7:8080/base/path")]
    [InlineData("https://origin.internal:8443/")]
    public void Origin_url_with_port_and_base_path_is_fine(string originUrl)
    {
        Assert.Empty(Errors(p => p.Sites[0] = MakeSite(originUrl: originUrl)));
    }

    [Theory]
    [InlineData("api.alpha.example:8443")]
    [InlineData("https://api.alpha.example")]
    [InlineData("api alpha.example")]
    [InlineData("")]
    public void Host_that_is_not_a_bare_host_name_is_an_error(string host)
    {
        AssertSingleError(
            $"sites[0].hosts[0]: '{host}' is not a host name (no scheme, no port)",
            p => p.Sites[0] = MakeSite(hosts: [host]));
    }

    [Fact]
    public void Host_belonging_to_two_sites_is_an_error_regardless_of_case()
    {
        AssertSingleError(
            "sites[1].hosts[1]: host 'API.Alpha.Example' belongs to another site",
            p => p.Sites[1] = MakeSite(id: "site-b", slug: "beta", hosts: ["api.beta.example", "API.Alpha.Example"]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    public void Hmac_secret_shorter_than_32_bytes_is_an_error(int length)
    {
        AssertSingleError("sites[0].hmacSecret: must be at least 32 bytes", p => p.Sites[0] = MakeSite(hmacSecret: new byte[length]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Origin_key_hash_of_wrong_length_is_an_error(int length)
    {
        AssertSingleError(
            "sites[0].originKeyHash: must be empty or a 32-byte SHA-256",
            p => p.Sites[0] = MakeSite(originKeyHash: new byte[length]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    public void Origin_key_hash_that_is_empty_or_32_bytes_is_fine(int length)
    {
        Assert.Empty(Errors(p => p.Sites[0] = MakeSite(originKeyHash: new byte[length])));
    }

    [Theory]
    [InlineData("X-EdgeFence-Foo")]
    [InlineData("x-edgefence-customer")]
    [InlineData("Authorization")]
    [InlineData("Host")]
    [InlineData("host")]
    [InlineData("Content-Length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("X-Api-Key")]
    public void Static_header_managed_by_the_edge_is_an_error(string name)
    {
        AssertSingleError(
            $"sites[0].staticHeaders[1].name: '{name}' is managed by the edge and cannot be injected",
            p => p.Sites[0] = MakeSite(staticHeaders: [new NameValue("X-Origin-Key", "k1"), new NameValue(name, "v")]));
    }

    [Fact]
    public void Duplicate_static_header_is_an_error_regardless_of_case()
    {
        AssertSingleError(
            "sites[0].staticHeaders[1].name: duplicate 'x-origin-key'",
            p => p.Sites[0] = MakeSite(staticHeaders: [new NameValue("X-Origin-Key", "k1"), new NameValue("x-origin-key", "k2")]));
    }

    [Theory]
    [InlineData("X Origin")]
    [InlineData("X-Origin:")]
    [InlineData("")]
    [InlineData("X-Orígin")]
    public void Static_header_with_invalid_name_is_an_error(string name)
    {
        AssertSingleError(
            $"sites[0].staticHeaders[0].name: '{name}' is not a valid header name",
            p => p.Sites[0] = MakeSite(staticHeaders: [new NameValue(name, "v")]));
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("\0")]
    [InlineData("tab\tinside")]
    [InlineData("del\u007f")]
    public void Static_header_value_with_a_control_character_is_an_error(string value)
    {
        AssertSingleError(
            "sites[0].staticHeaders[0].value: must be at most 4096 characters without control characters",
            p => p.Sites[0] = MakeSite(staticHeaders: [new NameValue("X-Origin-Key", value)]));
    }

    [Fact]
    public void Static_header_value_longer_than_4096_characters_is_an_error_but_4096_is_fine()
    {
        Assert.Empty(Errors(p => p.Sites[0] = MakeSite(staticHeaders: [new NameValue("X-Origin-Key", new string('v', 4096))])));
        AssertSingleError(
            "sites[0].staticHeaders[0].value: must be at most 4096 characters without control characters",
            p => p.Sites[0] = MakeSite(staticHeaders: [new NameValue("X-Origin-Key", new string('v', 4097))]));
    }

    [Theory]
    [InlineData("api key")]
    [InlineData("a=b")]
    [InlineData("a&b")]
    [InlineData("a%20b")]
    [InlineData("")]
    public void Static_query_parameter_with_invalid_name_is_an_error(string name)
    {
        AssertSingleError(
            $"sites[0].staticQuery[0].name: '{name}' is not a valid query parameter name",
            p => p.Sites[0] = MakeSite(staticQuery: [new NameValue(name, "v")]));
    }

    [Fact]
    public void Static_query_parameter_value_with_a_control_character_is_an_error()
    {
        AssertSingleError(
            "sites[0].staticQuery[0].value: must be at most 4096 characters without control characters",
            p => p.Sites[0] = MakeSite(staticQuery: [new NameValue("api_key", "q\n1")]));
    }

    // ---- plans ----

    [Fact]
    public void Plan_with_unknown_site_is_an_error()
    {
        AssertSingleError("plans[3].siteId: unknown site 'nope'", p => p.Plans.Add(MakePlan(id: "plan-x", siteId: "nope", resourceIds: [])));
    }

    [Fact]
    public void Duplicate_plan_id_is_an_error()
    {
        AssertSingleError("plans[3].id: duplicate plan id 'plan-a'", p => p.Plans.Add(MakePlan(resourceIds: [])));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Negative_quota_is_an_error(long quota)
    {
        AssertSingleError("plans[0].quotaUnits: must not be negative", p => p.Plans[0] = MakePlan(quotaUnits: quota));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Non_positive_rate_limit_is_an_error(int requests)
    {
        AssertSingleError(
            "plans[0].rateLimitRequests: must be positive (omit it for no rate limit)",
            p => p.Plans[0] = MakePlan(rateLimitRequests: requests));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(86_401)]
    public void Rate_limit_window_outside_one_second_to_one_day_is_an_error(int seconds)
    {
        AssertSingleError("plans[0].rateLimitWindowSeconds: must be between 1 and 86400", p => p.Plans[0] = MakePlan(windowSeconds: seconds));
    }

    [Fact]
    public void Negative_price_is_an_error()
    {
        AssertSingleError("plans[0].priceMicros: must be between 0 and 10^15 micro-units", p => p.Plans[0] = MakePlan(priceMicros: -1));
    }

    [Fact]
    public void Undefined_quota_period_and_mode_are_errors()
    {
        var errors = Errors(p => p.Plans[0] = MakePlan(quotaPeriod: (QuotaPeriod)99, quotaMode: (QuotaMode)7));

        Assert.Equal(["plans[0].quotaPeriod: unknown period", "plans[0].quotaMode: unknown mode"], errors);
    }

    [Fact]
    public void Plan_resource_id_that_is_unknown_is_an_error()
    {
        AssertSingleError("plans[0].resourceIds: unknown resource 'res-x'", p => p.Plans[0] = MakePlan(resourceIds: ["res-a1", "res-x"]));
    }

    [Fact]
    public void Plan_resource_id_of_another_site_is_an_error()
    {
        AssertSingleError(
            "plans[0].resourceIds: resource 'res-b1' belongs to another site",
            p => p.Plans[0] = MakePlan(resourceIds: ["res-a1", "res-b1"]));
    }

    // ---- resources ----

    [Fact]
    public void Resource_with_unknown_site_is_an_error()
    {
        AssertSingleError(
            "resources[3].siteId: unknown site 'nope'",
            p => p.Resources.Add(MakeResource(id: "res-x", siteId: "nope", pattern: "/x", privatePath: null)));
    }

    [Fact]
    public void Duplicate_resource_id_is_an_error()
    {
        AssertSingleError(
            "resources[3].id: duplicate resource id 'res-a1'",
            p => p.Resources.Add(MakeResource(id: "res-a1", pattern: "/other", privatePath: null)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Negative_cost_is_an_error(long cost)
    {
        AssertSingleError("resources[0].cost: must not be negative", p => p.Resources[0] = MakeResource(cost: cost));
    }

    [Theory]
    [InlineData("get")]
    [InlineData("Post")]
    [InlineData("FETCH")]
    [InlineData("")]
    public void Lower_case_or_unknown_method_is_an_error(string method)
    {
        AssertSingleError(
            $"resources[0].methods: '{method}' is not an upper-case HTTP method",
            p => p.Resources[0] = MakeResource(methods: ["GET", method]));
    }

    [Theory]
    [InlineData("no-slash", "The pattern must start with '/'.")]
    [InlineData("/a//b", "Segment 2 is empty ('//').")]
    [InlineData("/a/../b", "Segment 2 is a dot segment ('..').")]
    [InlineData("/a/b/", "The pattern must not end with '/' (a trailing '/' on a request is ignored anyway).")]
    [InlineData("/a/b*", "Segment 2 mixes '*' into a literal; '*' must be a whole segment.")]
    [InlineData("", "The pattern is empty.")]
    public void Invalid_pattern_is_an_error_naming_the_reason(string pattern, string reason)
    {
        AssertSingleError($"resources[0].pattern: {reason}", p => p.Resources[0] = MakeResource(pattern: pattern));
    }

    [Theory]
    [InlineData("/v1/chat/*", "/internal/chat")] // catch-all pattern, literal private path
    [InlineData("/v1/chat/*", "/internal/*/chat/*")] // inner wildcard in the private path
    [InlineData("/v1/chat", "/internal/chat/*")] // literal pattern, catch-all private path
    [InlineData("/v1/things/*/detail", "/internal/*/detail")] // inner wildcard in the private path
    public void Private_path_not_matching_the_patterns_catch_all_shape_is_an_error(string pattern, string privatePath)
    {
        AssertSingleError(
            "resources[0].privatePath: must be a literal path, ending in '/*' exactly when the pattern does",
            p => p.Resources[0] = MakeResource(pattern: pattern, privatePath: privatePath));
    }

    [Theory]
    [InlineData("/v1/chat/*", "/internal/chat/*")]
    [InlineData("/v1/chat/*", "/*")]
    [InlineData("/v1/things/*/detail", "/internal/detail")]
    [InlineData("/v1/chat", "/")]
    public void Private_path_with_the_patterns_catch_all_shape_is_fine(string pattern, string privatePath)
    {
        Assert.Empty(Errors(p => p.Resources[0] = MakeResource(pattern: pattern, privatePath: privatePath)));
    }

    [Fact]
    public void Invalid_private_path_is_an_error_naming_the_reason()
    {
        AssertSingleError(
            "resources[0].privatePath: The pattern must start with '/'.",
            p => p.Resources[0] = MakeResource(privatePath: "internal/chat/*"));
    }

    [Fact]
    public void Two_resources_of_one_site_with_the_same_pattern_and_overlapping_methods_is_an_error()
    {
        // res-a1 is "/v1/chat/*" with GET and POST; patterns compare ignoring ASCII case.
        AssertSingleError(
            "resources[3].pattern: '/V1/Chat/*' overlaps another resource of the same site with the same methods",
            p => p.Resources.Add(MakeResource(id: "res-a3", pattern: "/V1/Chat/*", methods: ["POST", "PUT"])));
    }

    [Fact]
    public void Resource_for_all_methods_overlaps_any_other_resource_with_the_same_pattern()
    {
        AssertSingleError(
            "resources[3].pattern: '/v1/chat/*' overlaps another resource of the same site with the same methods",
            p => p.Resources.Add(MakeResource(id: "res-a3", methods: [])));
        AssertSingleError(
            "resources[1].pattern: '/v1/chat/*' overlaps another resource of the same site with the same methods",
            p => p.Resources.Insert(0, MakeResource(id: "res-a0", methods: [])));
    }

    [Fact]
    public void Two_resources_of_one_site_with_the_same_pattern_and_disjoint_methods_are_fine()
    {
        Assert.Empty(Errors(p =>
        {
            p.Resources[0] = MakeResource(methods: ["GET"]);
            p.Resources.Add(MakeResource(id: "res-a3", methods: ["POST"]));
            p.Resources.Add(MakeResource(id: "res-a4", methods: ["PUT", "DELETE"]));
        }));
    }

    [Fact]
    public void Third_resource_overlapping_the_second_of_two_disjoint_ones_is_an_error()
    {
        AssertSingleError(
            "resources[4].pattern: '/v1/chat/*' overlaps another resource of the same site with the same methods",
            p =>
            {
                p.Resources[0] = MakeResource(methods: ["GET"]);
                p.Resources.Add(MakeResource(id: "res-a3", methods: ["POST"]));
                p.Resources.Add(MakeResource(id: "res-a4", methods: ["PATCH", "POST"]));
            });
    }

    [Fact]
    public void Get_and_head_on_the_same_pattern_overlap_because_head_is_enforced_as_get()
    {
        AssertSingleError(
            "resources[3].pattern: '/v1/chat/*' overlaps another resource of the same site with the same methods",
            p => p.Resources.Add(MakeResource(id: "res-a3", methods: ["HEAD"])));
        AssertSingleError(
            "resources[1].pattern: '/v1/chat/*' overlaps another resource of the same site with the same methods",
            p => p.Resources.Insert(0, MakeResource(id: "res-a0", methods: ["HEAD"])));
    }

    [Fact]
    public void Same_pattern_and_methods_on_different_sites_are_fine()
    {
        Assert.Empty(Errors(p =>
        {
            p.Resources[0] = MakeResource(siteId: "site-a", pattern: "/v1/chat/*", methods: []);
            p.Resources[2] = MakeResource(id: "res-b1", siteId: "site-b", pattern: "/v1/chat/*", methods: [], privatePath: null);
        }));
    }

    // ---- tokens ----

    [Fact]
    public void Token_with_unknown_site_is_an_error()
    {
        var errors = Errors(p => p.Tokens[0] = MakeToken(siteId: "nope"));

        Assert.Equal(["tokens[0].siteId: unknown site 'nope'", "tokens[0].planId: plan 'plan-a' belongs to another site"], errors);
    }

    [Fact]
    public void Token_with_unknown_plan_is_an_error()
    {
        AssertSingleError("tokens[0].planId: unknown plan 'x'", p => p.Tokens[0] = MakeToken(planId: "x"));
    }

    [Fact]
    public void Token_whose_plan_belongs_to_another_site_is_an_error()
    {
        AssertSingleError("tokens[0].planId: plan 'plan-b' belongs to another site", p => p.Tokens[0] = MakeToken(planId: "plan-b"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Token_hash_that_is_not_32_bytes_is_an_error(int length)
    {
        AssertSingleError("tokens[0].hash: must be a 32-byte SHA-256", p => p.Tokens[0] = MakeToken(hash: new byte[length]));
    }

    [Fact]
    public void Duplicate_token_hash_is_an_error()
    {
        AssertSingleError(
            "tokens[1].hash: duplicate token hash",
            p => p.Tokens[1] = MakeToken(id: "tok-b", siteId: "site-b", planId: "plan-b", hash: TokenHasher.Hash("sk_a_1")));
    }

    [Fact]
    public void Negative_expiry_is_an_error()
    {
        AssertSingleError("tokens[0].expiresAtUnix: must not be negative", p => p.Tokens[0] = MakeToken(expiresAtUnix: -1));
    }

    [Theory]
    [InlineData("plan-a2", "acme")]
    [InlineData("plan-a", "globex")]
    public void Tokens_sharing_an_id_with_a_different_plan_or_customer_is_an_error(string planId, string customer)
    {
        AssertSingleError(
            "tokens[2].id: token id 'tok-a' is used by another token with a different plan or customer",
            p => p.Tokens.Add(MakeToken(planId: planId, customer: customer, hash: TokenHasher.Hash("sk_a_2"))));
    }

    [Fact]
    public void Tokens_sharing_an_id_plan_and_customer_are_fine_as_a_rotation()
    {
        Assert.Empty(Errors(p => p.Tokens.Add(MakeToken(hash: TokenHasher.Hash("sk_a_rotated")))));
    }

    [Fact]
    public void Tokens_sharing_an_id_on_different_sites_are_independent()
    {
        Assert.Empty(Errors(p => p.Tokens[1] = MakeToken(id: "tok-a", siteId: "site-b", planId: "plan-b", customer: "globex", hash: TokenHasher.Hash("sk_b_1"))));
    }

    [Theory]
    [InlineData("acmé")]
    [InlineData("ac\tme")]
    [InlineData("acme\n")]
    [InlineData("acme\u007f")]
    public void Customer_with_non_ascii_or_control_character_is_an_error(string customer)
    {
        AssertSingleError("tokens[0].customer: must be printable ASCII", p => p.Tokens[0] = MakeToken(customer: customer));
    }

    [Fact]
    public void Empty_or_overlong_customer_is_an_error()
    {
        AssertSingleError("tokens[0].customer: must be 1-256 characters", p => p.Tokens[0] = MakeToken(customer: ""));
        AssertSingleError("tokens[0].customer: must be 1-256 characters", p => p.Tokens[0] = MakeToken(customer: new string('c', 257)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tok a")]
    [InlineData("tok/a")]
    [InlineData("tök")]
    public void Token_id_outside_the_identifier_alphabet_is_an_error(string id)
    {
        AssertSingleError(
            "tokens[0].id: must be 1-256 characters of letters, digits, '_', '-', '.' or ':'",
            p => p.Tokens[0] = MakeToken(id: id));
    }

    // ---- helpers ----

    private static IReadOnlyList<string> Errors(Action<Parts> change)
    {
        var parts = new Parts();
        change(parts);
        return SnapshotValidator.Validate(parts.Build());
    }

    private static void AssertSingleError(string expected, Action<Parts> change)
    {
        Assert.Equal([expected], Errors(change));
    }

    private static Site MakeSite(
        string id = "site-a",
        string slug = "alpha",
        string originUrl = "https://origin.alpha.internal:8443/base",
        IReadOnlyList<string>? hosts = null,
        byte[]? hmacSecret = null,
        byte[]? originKeyHash = null,
        IReadOnlyList<NameValue>? staticHeaders = null,
        IReadOnlyList<NameValue>? staticQuery = null) => new()
        {
            Id = id,
            Name = "Site " + id,
            Slug = slug,
            OriginUrl = originUrl,
            Hosts = hosts ?? ["api.alpha.example", "alpha.example"],
            HmacSecret = hmacSecret ?? Secret,
            OriginKeyHash = originKeyHash ?? TokenHasher.Hash("origin-key-" + id),
            StaticHeaders = staticHeaders ?? [new NameValue("X-Origin-Key", "k1")],
            StaticQuery = staticQuery ?? [new NameValue("api_key", "q1")],
        };

    private static Plan MakePlan(
        string id = "plan-a",
        string siteId = "site-a",
        long? quotaUnits = 1000,
        QuotaPeriod quotaPeriod = QuotaPeriod.Month,
        QuotaMode quotaMode = QuotaMode.Hard,
        int? rateLimitRequests = 10,
        int windowSeconds = 60,
        long priceMicros = 9_000_000,
        IReadOnlyList<string>? resourceIds = null) => new()
        {
            Id = id,
            SiteId = siteId,
            Name = "Plan " + id,
            QuotaUnits = quotaUnits,
            QuotaPeriod = quotaPeriod,
            QuotaMode = quotaMode,
            RateLimitRequests = rateLimitRequests,
            RateLimitWindowSeconds = windowSeconds,
            PriceMicros = priceMicros,
            ResourceIds = resourceIds ?? ["res-a1"],
        };

    private static Resource MakeResource(
        string id = "res-a1",
        string siteId = "site-a",
        string pattern = "/v1/chat/*",
        IReadOnlyList<string>? methods = null,
        long cost = 1,
        string? privatePath = "/internal/chat/*") => new()
        {
            Id = id,
            SiteId = siteId,
            Pattern = pattern,
            Methods = methods ?? ["GET", "POST"],
            Cost = cost,
            PrivatePath = privatePath,
        };

    private static TokenRecord MakeToken(
        string id = "tok-a",
        string siteId = "site-a",
        string planId = "plan-a",
        string customer = "acme",
        byte[]? hash = null,
        long expiresAtUnix = 1_900_000_000) => new()
        {
            Id = id,
            SiteId = siteId,
            PlanId = planId,
            Customer = customer,
            Hash = hash ?? TokenHasher.Hash("sk_a_1"),
            ExpiresAtUnix = expiresAtUnix,
        };

    /// <summary>A valid snapshot in editable pieces: two sites, three plans, three resources, two tokens.</summary>
    private sealed class Parts
    {
        public long Version { get; set; } = 7;

        public List<Site> Sites { get; } =
        [
            MakeSite(),
            MakeSite(id: "site-b", slug: "beta", originUrl: "http://origin.beta.internal", hosts: ["api.beta.example"], originKeyHash: [], staticHeaders: [], staticQuery: []),
        ];

        public List<Plan> Plans { get; } =
        [
            MakePlan(),
            MakePlan(id: "plan-a2", quotaUnits: null, rateLimitRequests: null, resourceIds: []),
            MakePlan(id: "plan-b", siteId: "site-b", quotaPeriod: QuotaPeriod.Week, quotaMode: QuotaMode.Soft, resourceIds: ["res-b1"]),
        ];

        public List<Resource> Resources { get; } =
        [
            MakeResource(),
            MakeResource(id: "res-a2", pattern: "/v1/items/*/detail", methods: [], cost: 2, privatePath: "/internal/detail"),

            // Same pattern and methods as res-a1, but on another site.
            MakeResource(id: "res-b1", siteId: "site-b", privatePath: null),
        ];

        public List<TokenRecord> Tokens { get; } =
        [
            MakeToken(),
            MakeToken(id: "tok-b", siteId: "site-b", planId: "plan-b", customer: "globex", hash: TokenHasher.Hash("sk_b_1"), expiresAtUnix: 0),
        ];

        public Snapshot Build() => new()
        {
            Version = Version,
            CreatedAtUnixMs = 1_790_000_000_000,
            Sites = [.. Sites],
            Plans = [.. Plans],
            Resources = [.. Resources],
            Tokens = [.. Tokens],
        };
    }
}
