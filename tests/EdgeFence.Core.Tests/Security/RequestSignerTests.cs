using System.Text;
using EdgeFence.Core.Security;

namespace EdgeFence.Core.Tests.Security;

public class RequestSignerTests
{
    private const long T = 1_790_000_000;
    private const string Method = "POST";
    private const string PathAndQuery = "/internal/chat?x=1&api_key=k";
    private const string TokenId = "t-basic";
    private const string Customer = "acme";
    private const string PlanId = "plan-basic";
    private const string RequestId = "0123456789abcdef0123456789abcdef";

    /// <summary>
    /// Computed independently, once, with Python's hmac module:
    /// <c>hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()</c>. Any change to the
    /// canonical string or the header format breaks this.
    /// </summary>
    private const string ExpectedHeader = "t=1790000000,v2=075c309818e4575f5ebb866a990b18ab226beeae8c0472af726af20b7222438b";

    /// <summary>Version 1 of the same inputs (no charge), computed the same way: what edges before v2 sent.</summary>
    private const string ExpectedHeaderV1 = "t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306";

    private const string Charged = "2500 USD";

    private static readonly byte[] Key = Encoding.UTF8.GetBytes("test-hmac-secret-of-at-least-32-bytes!!");

    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(T);

    [Fact]
    public void Canonical_string_joins_the_fields_with_line_feeds()
    {
        Assert.Equal(
            "v1\n1790000000\nPOST\n/internal/chat?x=1&api_key=k\nt-basic\nacme\nplan-basic\n0123456789abcdef0123456789abcdef",
            RequestSigner.CanonicalString(T, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId));
    }

    [Fact]
    public void Canonical_string_of_a_passthrough_request_keeps_empty_token_fields()
    {
        Assert.Equal("v1\n5\nGET\n/\n\n\n\nrid", RequestSigner.CanonicalString(5, "GET", "/", "", "", "", "rid"));
    }

    [Fact]
    public void Version_2_canonical_string_adds_the_charge_as_a_last_field()
    {
        Assert.Equal(
            "v2\n1790000000\nPOST\n/internal/chat?x=1&api_key=k\nt-basic\nacme\nplan-basic\n0123456789abcdef0123456789abcdef\n2500 USD",
            RequestSigner.CanonicalStringV2(T, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId, Charged));
        Assert.Equal("2500 USD", RequestSigner.ChargedValue(2500, "USD"));
    }

    [Fact]
    public void Header_value_matches_the_independently_computed_test_vector()
    {
        Assert.Equal(ExpectedHeader, RequestSigner.CreateHeaderValue(Key, T, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId, Charged));
    }

    [Fact]
    public void Version_1_header_matches_its_test_vector_and_still_verifies_without_a_charge()
    {
        Assert.Equal(ExpectedHeaderV1, RequestSigner.CreateHeaderValueV1(Key, T, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId));
        Assert.True(RequestSigner.Verify(Key, ExpectedHeaderV1, Now, RequestSigner.DefaultTolerance, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId));
        Assert.False(RequestSigner.Verify(Key, ExpectedHeaderV1, Now, RequestSigner.DefaultTolerance, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId, Charged));
    }

    [Fact]
    public void Verify_refuses_a_changed_charge()
    {
        Assert.False(RequestSigner.Verify(Key, ExpectedHeader, Now, RequestSigner.DefaultTolerance, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId, "2501 USD"));
        Assert.False(RequestSigner.Verify(Key, ExpectedHeader, Now, RequestSigner.DefaultTolerance, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId, ""));
    }

    [Fact]
    public void Many_keys_alternating_on_one_thread_each_get_their_own_mac()
    {
        // More keys than a thread keeps HMAC states for, twice round: evicted and re-created states
        // must sign exactly as a fresh HMAC does.
        var keys = Enumerable.Range(0, 7).Select(i => System.Text.Encoding.UTF8.GetBytes($"site-secret-{i}-of-at-least-32-bytes!!")).ToArray();
        for (var round = 0; round < 2; round++)
        {
            foreach (var key in keys)
            {
                var canonical = RequestSigner.CanonicalStringV2(1_700_000_000, "GET", "/x?y=1", "tok", "cust", "plan", "req-" + round, "");
                var expected = "t=1700000000,v2=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(canonical)));

                Assert.Equal(expected, RequestSigner.CreateHeaderValue(key, 1_700_000_000, "GET", "/x?y=1", "tok", "cust", "plan", "req-" + round, ""));
            }
        }
    }

    [Fact]
    public void Test_vector_header_parses_into_timestamp_and_mac()
    {
        Assert.True(RequestSigner.TryParseHeader(ExpectedHeader, out var timestamp, out var version, out var mac));
        Assert.Equal(T, timestamp);
        Assert.Equal(2, version);
        Assert.Equal("075c309818e4575f5ebb866a990b18ab226beeae8c0472af726af20b7222438b", mac.ToString());
    }

    [Fact]
    public void Verify_accepts_the_right_header()
    {
        Assert.True(Verify(ExpectedHeader));
    }

    [Theory]
    [InlineData("method")]
    [InlineData("path")]
    [InlineData("token")]
    [InlineData("customer")]
    [InlineData("plan")]
    [InlineData("request")]
    public void Verify_refuses_a_changed_field(string field)
    {
        var verified = RequestSigner.Verify(
            Key,
            ExpectedHeader,
            Now,
            RequestSigner.DefaultTolerance,
            field == "method" ? "GET" : Method,
            field == "path" ? "/internal/chat?x=1&api_key=K" : PathAndQuery,
            field == "token" ? "t-basid" : TokenId,
            field == "customer" ? "acme " : Customer,
            field == "plan" ? "" : PlanId,
            field == "request" ? "0123456789abcdef0123456789abcdee" : RequestId,
            Charged);

        Assert.False(verified);
        Assert.True(Verify(ExpectedHeader), "the unchanged request must still verify");
    }

    [Fact]
    public void Verify_refuses_a_wrong_key()
    {
        var wrongKey = (byte[])Key.Clone();
        wrongKey[^1] ^= 0x01;

        Assert.False(RequestSigner.Verify(wrongKey, ExpectedHeader, Now, RequestSigner.DefaultTolerance, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId, Charged));
    }

    [Fact]
    public void Verify_refuses_a_timestamp_changed_within_tolerance()
    {
        Assert.False(Verify(ExpectedHeader.Replace("t=1790000000", "t=1790000001", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(-300, true)]
    [InlineData(300, true)]
    [InlineData(-301, false)] // signed 301 s in the future
    [InlineData(301, false)] // signed 301 s in the past
    [InlineData(-86_400, false)]
    [InlineData(86_400, false)]
    public void Verify_accepts_timestamps_only_within_tolerance_of_now(long nowOffsetSeconds, bool expected)
    {
        var verified = RequestSigner.Verify(
            Key, ExpectedHeader, Now.AddSeconds(nowOffsetSeconds), TimeSpan.FromSeconds(300), Method, PathAndQuery, TokenId, Customer, PlanId, RequestId, Charged);

        Assert.Equal(expected, verified);
    }

    [Fact]
    public void Verify_refuses_upper_case_hex()
    {
        var upper = "t=1790000000,v2=" + ExpectedHeader["t=1790000000,v2=".Length..].ToUpperInvariant();

        Assert.False(RequestSigner.TryParseHeader(upper, out _, out _, out _));
        Assert.False(Verify(upper));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")] // missing t=
    [InlineData("v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306,t=1790000000")]
    [InlineData("t=1790000000")] // missing v1=
    [InlineData("t=1790000000,7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("t=1790000000,v3=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("t=,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("t=17900x0000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")] // non-digit t
    [InlineData("t=+1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("t= 1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData(" t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d30")] // 63-char mac
    [InlineData("t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d3066")] // 65-char mac
    [InlineData("t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306 ")]
    [InlineData("t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d30g")] // non-hex
    public void Verify_refuses_a_malformed_header(string? header)
    {
        Assert.False(RequestSigner.TryParseHeader(header, out _, out _, out _));
        Assert.False(Verify(header));
    }

    private static bool Verify(string? header) =>
        RequestSigner.Verify(Key, header, Now, RequestSigner.DefaultTolerance, Method, PathAndQuery, TokenId, Customer, PlanId, RequestId, Charged);
}
