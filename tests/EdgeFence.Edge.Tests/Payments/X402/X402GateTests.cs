using System.Net;
using System.Text;
using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Payments.X402;
using EdgeFence.Edge.Tests.Infrastructure;

namespace EdgeFence.Edge.Tests.Payments.X402;

/// <summary>x402 through a real edge, a real origin and a scripted facilitator on loopback.</summary>
public sealed class X402GateTests : IAsyncLifetime
{
    private ScriptedFacilitator _facilitator = null!;
    private TestOrigin _origin = null!;
    private EdgeHost _edge = null!;

    public async Task InitializeAsync()
    {
        _facilitator = await ScriptedFacilitator.StartAsync();
        _origin = await TestOrigin.StartAsync();
        _edge = await EdgeHost.StartAsync(X402Snapshot.Create(_origin.Url, _facilitator.Url));
    }

    public async Task DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _origin.DisposeAsync();
        await _facilitator.DisposeAsync();
    }

    private Task<HttpResponseMessage> PayAsync(string path, string? header, string headerName = X402Headers.PaymentSignature, string? token = null)
        => _edge.SendAsync(HttpMethod.Get, path, token, r =>
        {
            if (header is not null)
            {
                r.Headers.TryAddWithoutValidation(headerName, header);
            }
        });

    private static JsonElement Decode(string base64) => JsonDocument.Parse(Convert.FromBase64String(base64)).RootElement;

    private static string Single(HttpResponseMessage response, string header) => response.Headers.GetValues(header).Single();

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private int OriginCalls(string prefix) => _origin.Requests.Count(r => r.RawTarget.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public async Task A_call_without_payment_gets_402_with_the_v2_offer_and_the_v1_body()
    {
        using var response = await PayAsync("/x402/report?q=1", null);

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        var offer = Decode(Single(response, X402Headers.PaymentRequired));
        Assert.Equal(2, offer.GetProperty("x402Version").GetInt32());
        Assert.Equal("http://api.test/x402/report?q=1", offer.GetProperty("resource").GetProperty("url").GetString());
        var accepts = Assert.Single(offer.GetProperty("accepts").EnumerateArray().ToList());
        Assert.Equal("exact", accepts.GetProperty("scheme").GetString());
        Assert.Equal(PaymentFixture.Network, accepts.GetProperty("network").GetString());
        Assert.Equal("10000", accepts.GetProperty("amount").GetString());
        Assert.Equal(PaymentFixture.PayTo, accepts.GetProperty("payTo").GetString());
        Assert.Equal("USDC", accepts.GetProperty("extra").GetProperty("name").GetString());
        Assert.Contains("PAYMENT-REQUIRED", Single(response, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
        var problem = await ProblemAsync(response);
        Assert.Equal("urn:edgefence:problem:payment-required", problem.GetProperty("type").GetString());
        Assert.Equal(1, problem.GetProperty("x402Version").GetInt32());
        var v1 = Assert.Single(problem.GetProperty("accepts").EnumerateArray().ToList());
        Assert.Equal("base-sepolia", v1.GetProperty("network").GetString());
        Assert.Equal("10000", v1.GetProperty("maxAmountRequired").GetString());
        Assert.Equal(0, OriginCalls("/x402"));
        Assert.Empty(_facilitator.Calls);
    }

    [Fact]
    public async Task A_paid_call_is_verified_settled_and_forwarded_with_the_receipt_and_the_payer_as_customer()
    {
        var payment = PaymentFixture.Live();
        var header = PaymentFixture.Header(payment);
        using var response = await PayAsync("/x402/report", header);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["/verify", "/settle"], _facilitator.Calls.Select(c => c.Path));
        var receipt = Decode(Single(response, X402Headers.PaymentResponse));
        Assert.True(receipt.GetProperty("success").GetBoolean());
        Assert.Equal("0xabc", receipt.GetProperty("transaction").GetString());
        Assert.False(response.Headers.Contains(X402Headers.XPaymentResponse));
        Assert.Contains("PAYMENT-RESPONSE", Single(response, "Access-Control-Expose-Headers"), StringComparison.Ordinal);

        var seen = _origin.Last;
        var customer = "x402:" + PaymentFixture.From.ToLowerInvariant();
        Assert.Equal(customer, seen.Header(RequestSigner.CustomerHeader));
        Assert.Null(seen.Header(X402Headers.PaymentSignature));
        var charged = RequestSigner.ChargedValue(X402Snapshot.PriceMicros, "USD");
        Assert.Equal(charged, seen.Header(RequestSigner.ChargedHeader));
        Assert.True(RequestSigner.Verify(TestSnapshot.HmacSecret, seen.Header(RequestSigner.SignatureHeader), DateTimeOffset.UtcNow, RequestSigner.DefaultTolerance, "GET", seen.RawTarget, "", customer, "", seen.Header(RequestSigner.RequestIdHeader)!, charged));

        await _edge.StopAsync();
        var log = string.Join('\n', Directory.GetFiles(Path.Combine(_edge.DataDir, "decisions"), "*.ndjson").Select(File.ReadAllText));
        var record = log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Single(r => r.GetProperty("decision").GetString() == "allow");
        Assert.Equal("0xabc", record.GetProperty("x402Transaction").GetString());
        Assert.Equal(customer, record.GetProperty("customer").GetString());
        Assert.DoesNotContain(header[..40], log, StringComparison.Ordinal);
        Assert.DoesNotContain(payment["payload"]!["signature"]!.GetValue<string>(), log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_payment_presented_twice_reaches_the_origin_once()
    {
        var header = PaymentFixture.Header(PaymentFixture.Live());
        using var first = await PayAsync("/x402/a", header);
        using var second = await PayAsync("/x402/a", header);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, second.StatusCode);
        Assert.Equal("payment-replayed", (await ProblemAsync(second)).GetProperty("reason").GetString());
        Assert.True(second.Headers.Contains(X402Headers.PaymentRequired));
        Assert.Equal(1, OriginCalls("/x402"));
        Assert.Equal(1, _facilitator.Calls.Count(c => c.Path == "/verify"));
    }

    [Fact]
    public async Task Of_two_concurrent_calls_with_one_payment_exactly_one_reaches_the_origin()
    {
        var verify = _facilitator.Verify;
        _facilitator.Verify = async context =>
        {
            await Task.Delay(300);
            await verify(context);
        };
        var header = PaymentFixture.Header(PaymentFixture.Live());
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PayAsync("/x402/c", header)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.PaymentRequired));
        Assert.Equal(1, OriginCalls("/x402"));
        Assert.Equal(1, _facilitator.Calls.Count(c => c.Path == "/settle"));
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task A_facilitator_answering_garbage_at_verify_gets_503_and_the_payment_can_be_retried()
    {
        _facilitator.Verify = ScriptedFacilitator.Json("<html>oops</html>");
        var header = PaymentFixture.Header(PaymentFixture.Live());
        using var refused = await PayAsync("/x402/g", header);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("5", Single(refused, "Retry-After"));
        Assert.Equal("payment-unavailable", (await ProblemAsync(refused)).GetProperty("reason").GetString());
        Assert.Equal(0, OriginCalls("/x402"));
        Assert.DoesNotContain(_facilitator.Calls, c => c.Path == "/settle");

        _facilitator.Verify = ScriptedFacilitator.Json("{\"isValid\":true,\"payer\":\"" + PaymentFixture.From + "\"}");
        using var retried = await PayAsync("/x402/g", header);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(1, OriginCalls("/x402"));
    }

    [Fact]
    public async Task A_facilitator_silent_at_settle_gets_503_never_forwards_and_the_payment_stays_used()
    {
        _facilitator.Settle = ScriptedFacilitator.Json("{}", 502);
        var header = PaymentFixture.Header(PaymentFixture.Live());
        using var refused = await PayAsync("/x402/s", header);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Equal(0, OriginCalls("/x402"));

        _facilitator.Settle = ScriptedFacilitator.Json("{\"success\":true,\"payer\":\"0x1\",\"transaction\":\"0xdef\",\"network\":\"eip155:84532\"}");
        using var again = await PayAsync("/x402/s", header);
        Assert.Equal(HttpStatusCode.PaymentRequired, again.StatusCode);
        Assert.Equal("payment-replayed", (await ProblemAsync(again)).GetProperty("reason").GetString());
        Assert.Equal(0, OriginCalls("/x402"));
    }

    [Fact]
    public async Task The_verify_timeout_is_the_configured_one()
    {
        // A facilitator that takes a second to say "valid": within the default 5 s, beyond the configured 200 ms.
        await using var edge = await EdgeHost.StartAsync(X402Snapshot.Create(_origin.Url, _facilitator.Url), "--EdgeFence:X402VerifyTimeoutMs=200");
        var valid = _facilitator.Verify;
        _facilitator.Verify = async context =>
        {
            await Task.Delay(1000);
            await valid(context);
        };

        using var refused = await edge.SendAsync(HttpMethod.Get, "/x402/s", null, r => r.Headers.TryAddWithoutValidation(X402Headers.PaymentSignature, PaymentFixture.Header(PaymentFixture.Live())));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Equal(0, OriginCalls("/x402"));
        Assert.Contains(_facilitator.Calls, c => c.Path == "/verify");
    }

    [Fact]
    public async Task A_refused_settlement_is_not_forwarded_and_says_so_in_the_receipt()
    {
        _facilitator.Settle = ScriptedFacilitator.Json("{\"success\":false,\"errorReason\":\"insufficient_funds\",\"transaction\":\"\",\"network\":\"eip155:84532\",\"payer\":\"0x1\"}");
        using var response = await PayAsync("/x402/f", PaymentFixture.Header(PaymentFixture.Live()));

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("payment-settle-failed", problem.GetProperty("reason").GetString());
        Assert.Contains("insufficient_funds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var receipt = Decode(Single(response, X402Headers.PaymentResponse));
        Assert.False(receipt.GetProperty("success").GetBoolean());
        Assert.Equal("insufficient_funds", receipt.GetProperty("errorReason").GetString());
        Assert.Equal(0, OriginCalls("/x402"));
    }

    [Theory]
    [InlineData("invalid_exact_evm_signature", "payment-rejected")]
    [InlineData("invalid_exact_evm_nonce_already_used", "payment-replayed")]
    public async Task An_invalid_verdict_is_402_with_the_facilitators_reason(string invalidReason, string reason)
    {
        _facilitator.Verify = ScriptedFacilitator.Json("{\"isValid\":false,\"invalidReason\":\"" + invalidReason + "\",\"payer\":\"0x1\"}");
        using var response = await PayAsync("/x402/i", PaymentFixture.Header(PaymentFixture.Live()));

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Contains(invalidReason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, OriginCalls("/x402"));
    }

    [Fact]
    public async Task Bad_payments_are_refused_at_the_edge_without_asking_the_facilitator()
    {
        var wrongAmount = PaymentFixture.Live();
        wrongAmount["payload"]!["authorization"]!["value"] = "1";
        var cases = new (string Header, string Reason)[]
        {
            ("%%%not-base64%%%", "payment-invalid"),
            (Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"x402Version\":2")), "payment-invalid"),
            (new string('A', PaymentHeaderReader.MaxHeaderChars + 4), "payment-invalid"),
            (PaymentFixture.Header(PaymentFixture.V2()), "payment-expired"),
            (PaymentFixture.Header(wrongAmount), "payment-mismatch"),
        };
        foreach (var (header, reason) in cases)
        {
            using var response = await PayAsync("/x402/bad", header);
            Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
            Assert.Equal(reason, (await ProblemAsync(response)).GetProperty("reason").GetString());
            Assert.True(response.Headers.Contains(X402Headers.PaymentRequired));
        }

        Assert.Empty(_facilitator.Calls);
        Assert.Equal(0, OriginCalls("/x402"));
    }

    [Fact]
    public async Task A_v1_payment_in_x_payment_gets_both_receipt_headers()
    {
        using var response = await PayAsync("/x402/v1", PaymentFixture.Header(PaymentFixture.V1(PaymentFixture.FreshNonce(), DateTimeOffset.UtcNow.ToUnixTimeSeconds())), X402Headers.XPayment);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Single(response, X402Headers.PaymentResponse), Single(response, X402Headers.XPaymentResponse));
        using var sent = JsonDocument.Parse(_facilitator.Calls.First().Body);
        Assert.Equal(1, sent.RootElement.GetProperty("x402Version").GetInt32());
        Assert.Equal("10000", sent.RootElement.GetProperty("paymentRequirements").GetProperty("maxAmountRequired").GetString());
    }

    [Fact]
    public async Task Token_or_x402_decides_a_token_holder_as_before_and_lets_a_caller_without_one_pay()
    {
        using (var byToken = await PayAsync("/either/x", null, token: TestSnapshot.Unlimited))
        {
            Assert.Equal(HttpStatusCode.OK, byToken.StatusCode);
            Assert.Equal("tyrell", _origin.Last.Header(RequestSigner.CustomerHeader));
            Assert.Empty(_facilitator.Calls);
        }

        using (var neither = await PayAsync("/either/x", null))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, neither.StatusCode);
            Assert.True(neither.Headers.Contains(X402Headers.PaymentRequired));
            Assert.Equal("Bearer", neither.Headers.WwwAuthenticate.Single().Scheme);
        }

        using var paid = await PayAsync("/either/x", PaymentFixture.Header(PaymentFixture.Live()));
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal("x402:" + PaymentFixture.From.ToLowerInvariant(), _origin.Last.Header(RequestSigner.CustomerHeader));
    }

    [Fact]
    public async Task A_token_holder_out_of_quota_gets_the_x402_offer_on_the_429()
    {
        for (var i = 0; i < 5; i++)
        {
            using var ok = await PayAsync("/either/q", null, token: TestSnapshot.Basic);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var refused = await PayAsync("/either/q", null, token: TestSnapshot.Basic);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var offer = Decode(Single(refused, X402Headers.PaymentRequired));
        Assert.Equal("10000", offer.GetProperty("accepts")[0].GetProperty("amount").GetString());

        using var elsewhere = await PayAsync("/api/v1/q", null, token: TestSnapshot.Basic);
        Assert.Equal(HttpStatusCode.TooManyRequests, elsewhere.StatusCode);
        Assert.False(elsewhere.Headers.Contains(X402Headers.PaymentRequired));
    }

    [Fact]
    public async Task An_x402_only_resource_ignores_tokens_and_never_counts_them()
    {
        using var response = await PayAsync("/x402/t", null, token: TestSnapshot.Basic);

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        for (var i = 0; i < 5; i++)
        {
            using var ok = await PayAsync("/api/v1/t", null, token: TestSnapshot.Basic);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
    }
}
