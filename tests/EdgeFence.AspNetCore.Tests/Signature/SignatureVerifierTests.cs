using System.Text;
using EdgeFence.AspNetCore.Signature;
using EdgeFence.AspNetCore.Tests.Infrastructure;
using EdgeFence.Core.Security;

namespace EdgeFence.AspNetCore.Tests.Signature;

public sealed class SignatureVerifierTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(TestVector.Key);

    private static SignatureVerdict Verify(
        string header = TestVector.Header,
        long now = TestVector.Timestamp,
        string method = TestVector.Method,
        string target = TestVector.Target,
        string tokenId = TestVector.TokenId,
        string customer = TestVector.Customer,
        string plan = TestVector.Plan,
        string requestId = TestVector.RequestId,
        string charged = TestVector.Charged,
        byte[]? key = null)
        => SignatureVerifier.Verify(key ?? Key, header, now, 300, method, target, tokenId, customer, plan, requestId, charged, out _);

    [Fact]
    public void The_shared_test_vector_verifies()
    {
        Assert.Equal(SignatureVerdict.Valid, Verify());
    }

    [Fact]
    public void The_edge_signer_produces_the_shared_test_vector()
    {
        // Two implementations written apart (EdgeFence.Core signs, the SDK verifies) agree on one vector.
        var header = RequestSigner.CreateHeaderValue(Key, TestVector.Timestamp, TestVector.Method, TestVector.Target, TestVector.TokenId, TestVector.Customer, TestVector.Plan, TestVector.RequestId, TestVector.Charged);
        Assert.Equal(TestVector.Header, header);
    }

    [Fact]
    public void A_version_1_signature_from_an_earlier_edge_still_verifies_without_a_charge()
    {
        Assert.Equal(TestVector.HeaderV1, RequestSigner.CreateHeaderValueV1(Key, TestVector.Timestamp, TestVector.Method, TestVector.Target, TestVector.TokenId, TestVector.Customer, TestVector.Plan, TestVector.RequestId));
        Assert.Equal(SignatureVerdict.Valid, Verify(header: TestVector.HeaderV1, charged: ""));
    }

    [Fact]
    public void A_charge_next_to_a_version_1_signature_is_refused_because_v1_never_signed_it()
    {
        Assert.Equal(SignatureVerdict.Mismatch, Verify(header: TestVector.HeaderV1, charged: TestVector.Charged));
    }

    [Fact]
    public void The_sdk_computes_the_mac_of_the_shared_test_vector()
    {
        Span<byte> mac = stackalloc byte[32];
        SignatureVerifier.ComputeMac(Key, 2, TestVector.Timestamp, TestVector.Method, TestVector.Target, TestVector.TokenId, TestVector.Customer, TestVector.Plan, TestVector.RequestId, TestVector.Charged, mac);
        Assert.Equal(TestVector.Header[(TestVector.Header.IndexOf("v2=", StringComparison.Ordinal) + 3)..], Convert.ToHexStringLower(mac));
    }

    [Theory]
    [InlineData("method")]
    [InlineData("target")]
    [InlineData("tokenId")]
    [InlineData("customer")]
    [InlineData("plan")]
    [InlineData("requestId")]
    [InlineData("charged")]
    [InlineData("key")]
    public void Changing_any_signed_field_breaks_the_signature(string field)
    {
        var verdict = field switch
        {
            "method" => Verify(method: "GET"),
            "target" => Verify(target: "/internal/chat?x=2&api_key=k"),
            "tokenId" => Verify(tokenId: "t-basic2"),
            "customer" => Verify(customer: "globex"),
            "plan" => Verify(plan: "plan-unlimited"),
            "requestId" => Verify(requestId: "0123456789abcdef0123456789abcdee"),
            "charged" => Verify(charged: "25000 USD"),
            _ => Verify(key: Encoding.UTF8.GetBytes("another-hmac-secret-of-at-least-32-bytes")),
        };
        Assert.Equal(SignatureVerdict.Mismatch, verdict);
    }

    [Fact]
    public void Moving_a_value_between_fields_breaks_the_signature()
    {
        // The separators are part of what is signed: "acme" as the plan and "" as the customer differ.
        Assert.Equal(SignatureVerdict.Mismatch, Verify(customer: "", plan: TestVector.Customer + "\n" + TestVector.Plan));
    }

    [Theory]
    [InlineData("t=1790000000,v1=7D9663243D7CC8A9EAA9D902EAABCF032CE3A0B7592308CBF98FDFED7CB3D306")]
    [InlineData("t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d30")]
    [InlineData("t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d3066")]
    [InlineData("t=1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d30g")]
    [InlineData("t=,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("t=-1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("t=+1790000000,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("t=99999999999999999999,v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306,t=1790000000")]
    [InlineData("t=1790000000;v1=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("t=1790000000,v3=7d9663243d7cc8a9eaa9d902eaabcf032ce3a0b7592308cbf98fdfed7cb3d306")]
    [InlineData("garbage")]
    public void Malformed_headers_are_refused_as_malformed(string header)
    {
        Assert.Equal(SignatureVerdict.Malformed, Verify(header));
    }

    [Fact]
    public void Missing_header_is_reported_as_missing()
    {
        Assert.Equal(SignatureVerdict.Missing, Verify(header: ""));
    }

    [Theory]
    [InlineData(-300, true)]
    [InlineData(300, true)]
    [InlineData(-301, false)]
    [InlineData(301, false)]
    public void Timestamp_is_accepted_up_to_the_tolerance_either_way(long clockOffset, bool accepted)
    {
        Assert.Equal(accepted ? SignatureVerdict.Valid : SignatureVerdict.Expired, Verify(now: TestVector.Timestamp + clockOffset));
    }
}
