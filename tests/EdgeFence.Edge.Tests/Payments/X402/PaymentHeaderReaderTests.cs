using System.Text.Json.Nodes;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Payments.X402;

namespace EdgeFence.Edge.Tests.Payments.X402;

public sealed class PaymentHeaderReaderTests
{
    private static readonly X402Terms Terms = PaymentFixture.Terms();

    private static DenyReason Read(string header, out PaymentPayload? payment, out string? detail)
        => PaymentHeaderReader.TryRead(header, Terms, PaymentFixture.Now, out payment, out detail);

    private static DenyReason Read(JsonNode payment) => Read(PaymentFixture.Header(payment), out _, out _);

    [Fact]
    public void A_reference_v2_payment_is_read_with_its_json_kept_byte_for_byte()
    {
        var json = PaymentFixture.V2().ToJsonString();
        var reason = Read(PaymentFixture.Encode(json), out var payment, out var detail);

        Assert.Equal(DenyReason.None, reason);
        Assert.Null(detail);
        Assert.Equal(2, payment!.Version);
        Assert.Equal(PaymentFixture.Network, payment.Network);
        Assert.Equal(PaymentFixture.From, payment.From);
        Assert.Equal("10000", payment.Value);
        Assert.Equal(PaymentFixture.Now + 60, payment.ValidBefore);
        Assert.Equal(json, System.Text.Encoding.UTF8.GetString(payment.Json.Span));
    }

    [Fact]
    public void A_v1_payment_is_read_against_the_v1_name_of_the_network()
    {
        var reason = Read(PaymentFixture.Header(PaymentFixture.V1()), out var payment, out _);

        Assert.Equal(DenyReason.None, reason);
        Assert.Equal(1, payment!.Version);
        Assert.Equal("base-sepolia", payment.Network);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("eyJ4NDAyVmVyc2lvbiI6Mn0")] // unpadded
    [InlineData("eyJ4NDAy VmVyc2lvbiI6Mn0=")] // whitespace Convert would skip
    [InlineData("")]
    public void Malformed_base64_is_refused_as_invalid(string header)
    {
        Assert.Equal(DenyReason.PaymentInvalid, Read(header, out var payment, out var detail));
        Assert.Null(payment);
        Assert.Contains("base64", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"x402Version\":2,")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"x402Version\":2} {}")]
    [InlineData("{\"x402Version\":2,/*c*/\"payload\":{}}")]
    [InlineData("{\"x402Version\":\"2\"}")]
    public void Malformed_json_is_refused_as_invalid(string json)
    {
        Assert.Equal(DenyReason.PaymentInvalid, Read(PaymentFixture.Encode(json), out _, out var detail));
        Assert.StartsWith("the payment header is not a valid x402 payment", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_given_twice_is_refused_so_no_two_parsers_can_read_different_values()
    {
        var json = PaymentFixture.V2().ToJsonString().Replace("\"value\":\"10000\"", "\"value\":\"10000\",\"value\":\"1\"", StringComparison.Ordinal);

        Assert.Equal(DenyReason.PaymentInvalid, Read(PaymentFixture.Encode(json), out _, out var detail));
        Assert.Contains("value appears twice", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_header_is_refused_before_it_is_decoded()
    {
        var payment = PaymentFixture.V2();
        payment["extensions"] = new string('x', PaymentHeaderReader.MaxHeaderChars);
        var header = PaymentFixture.Header(payment);

        Assert.Equal(DenyReason.PaymentInvalid, Read(header, out _, out var detail));
        Assert.Contains("longer than 8192", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var payment = PaymentFixture.V2();
        payment["extensions"] = JsonNode.Parse(new string('[', 20) + new string(']', 20));

        Assert.Equal(DenyReason.PaymentInvalid, Read(payment));
    }

    [Fact]
    public void Unknown_members_such_as_extensions_are_allowed()
    {
        var payment = PaymentFixture.V2();
        payment["extensions"] = new JsonObject { ["bazaar"] = new JsonObject { ["info"] = "x" } };

        Assert.Equal(DenyReason.None, Read(payment));
    }

    [Theory]
    [InlineData("from", "0x1234")]
    [InlineData("nonce", "0x00")]
    [InlineData("value", "010000")]
    [InlineData("value", "-10000")]
    [InlineData("validBefore", "soon")]
    public void Badly_shaped_authorization_values_are_refused_as_invalid(string field, string value)
    {
        var payment = PaymentFixture.V2();
        payment["payload"]!["authorization"]![field] = value;

        Assert.Equal(DenyReason.PaymentInvalid, Read(payment));
    }

    [Fact]
    public void A_missing_signature_is_refused_as_invalid()
    {
        var payment = PaymentFixture.V2();
        payment["payload"]!.AsObject().Remove("signature");

        Assert.Equal(DenyReason.PaymentInvalid, Read(payment));
    }

    [Fact]
    public void An_unknown_protocol_version_is_refused()
    {
        var payment = PaymentFixture.V2();
        payment["x402Version"] = 3;

        Assert.Equal(DenyReason.PaymentInvalid, Read(payment));
    }

    [Fact]
    public void A_payment_for_another_network_is_a_mismatch()
    {
        var payment = PaymentFixture.V2();
        payment["accepted"]!["network"] = "eip155:8453";

        Assert.Equal(DenyReason.PaymentMismatch, Read(PaymentFixture.Header(payment), out _, out var detail));
        Assert.Contains("eip155:8453", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v1_payment_for_another_network_is_a_mismatch()
    {
        var payment = PaymentFixture.V1();
        payment["network"] = "base";

        Assert.Equal(DenyReason.PaymentMismatch, Read(payment));
    }

    [Fact]
    public void A_v1_payment_on_a_chain_without_a_v1_name_is_a_mismatch()
    {
        var terms = PaymentFixture.Terms(network: "eip155:31337");
        var payment = PaymentFixture.V1();
        payment["network"] = "eip155:31337";

        Assert.Equal(DenyReason.PaymentMismatch, PaymentHeaderReader.TryRead(PaymentFixture.Header(payment), terms, PaymentFixture.Now, out _, out var detail));
        Assert.Contains("pay with x402 v2", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9999")]
    [InlineData("10001")]
    public void A_payment_of_another_amount_is_a_mismatch(string value)
    {
        var payment = PaymentFixture.V2();
        payment["payload"]!["authorization"]!["value"] = value;

        Assert.Equal(DenyReason.PaymentMismatch, Read(PaymentFixture.Header(payment), out _, out var detail));
        Assert.Contains("costs 10000", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amount", "1")]
    [InlineData("asset", "0x0000000000000000000000000000000000000001")]
    [InlineData("payTo", "0x0000000000000000000000000000000000000001")]
    [InlineData("scheme", "upto")]
    public void An_accepted_requirement_we_did_not_offer_is_a_mismatch(string field, string value)
    {
        var payment = PaymentFixture.V2();
        payment["accepted"]![field] = value;

        Assert.Equal(DenyReason.PaymentMismatch, Read(payment));
    }

    [Fact]
    public void An_accepted_requirement_with_another_token_domain_is_a_mismatch()
    {
        var payment = PaymentFixture.V2();
        payment["accepted"]!["extra"]!["name"] = "USD Coin";

        Assert.Equal(DenyReason.PaymentMismatch, Read(payment));
    }

    [Fact]
    public void A_v2_payment_without_accepted_is_a_mismatch()
    {
        var payment = PaymentFixture.V2();
        payment.Remove("accepted");

        Assert.Equal(DenyReason.PaymentMismatch, Read(payment));
    }

    [Fact]
    public void A_payment_to_another_address_is_a_mismatch()
    {
        var payment = PaymentFixture.V2();
        payment["payload"]!["authorization"]!["to"] = "0x0000000000000000000000000000000000000001";

        Assert.Equal(DenyReason.PaymentMismatch, Read(payment));
    }

    [Fact]
    public void Addresses_compare_without_case()
    {
        var payment = PaymentFixture.V2();
        payment["payload"]!["authorization"]!["to"] = PaymentFixture.PayTo.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal);

        Assert.Equal(DenyReason.None, Read(payment));
    }

    [Fact]
    public void An_expired_authorization_is_refused()
    {
        var payment = PaymentFixture.V2();
        payment["payload"]!["authorization"]!["validBefore"] = PaymentFixture.Now.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DenyReason.PaymentExpired, Read(PaymentFixture.Header(payment), out _, out var detail));
        Assert.Contains("expired", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_authorization_not_yet_valid_is_refused()
    {
        var payment = PaymentFixture.V2();
        payment["payload"]!["authorization"]!["validAfter"] = (PaymentFixture.Now + 10).ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DenyReason.PaymentExpired, Read(payment));
    }

    [Fact]
    public void An_authorization_valid_far_beyond_the_offer_is_refused()
    {
        var payment = PaymentFixture.V2();
        payment["payload"]!["authorization"]!["validBefore"] = (PaymentFixture.Now + 60 + PaymentHeaderReader.ValiditySlackSeconds + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DenyReason.PaymentMismatch, Read(payment));
    }
}
