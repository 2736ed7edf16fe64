using System.Text.Json;
using EdgeFence.Edge.Payments.X402;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Tests.Payments.X402;

public sealed class FacilitatorClientTests
{
    private static PaymentPayload Payment()
    {
        PaymentHeaderReader.TryRead(PaymentFixture.Header(PaymentFixture.V2()), PaymentFixture.Terms(), PaymentFixture.Now, out var payment, out _);
        return payment!;
    }

    [Fact]
    public async Task Verify_sends_the_payload_unchanged_with_our_requirements()
    {
        await using var facilitator = await ScriptedFacilitator.StartAsync();
        using var client = new FacilitatorClient();
        var payment = Payment();

        var answer = await client.VerifyAsync(PaymentFixture.Terms(facilitator.Url), payment, "http://edge/paid", CancellationToken.None);

        Assert.Equal(FacilitatorOutcome.Succeeded, answer.Outcome);
        Assert.Equal(PaymentFixture.From, answer.Payer);
        var (path, body) = Assert.Single(facilitator.Calls);
        Assert.Equal("/verify", path);
        using var sent = JsonDocument.Parse(body);
        Assert.Equal(2, sent.RootElement.GetProperty("x402Version").GetInt32());
        Assert.Equal(System.Text.Encoding.UTF8.GetString(payment.Json.Span), sent.RootElement.GetProperty("paymentPayload").GetRawText());
        var requirements = sent.RootElement.GetProperty("paymentRequirements");
        Assert.Equal("10000", requirements.GetProperty("amount").GetString());
        Assert.Equal(PaymentFixture.PayTo, requirements.GetProperty("payTo").GetString());
        Assert.Equal("USDC", requirements.GetProperty("extra").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Settle_reports_the_transaction()
    {
        await using var facilitator = await ScriptedFacilitator.StartAsync();
        using var client = new FacilitatorClient();

        var answer = await client.SettleAsync(PaymentFixture.Terms(facilitator.Url), Payment(), "http://edge/paid");

        Assert.Equal(FacilitatorOutcome.Succeeded, answer.Outcome);
        Assert.Equal("0xabc", answer.Transaction);
        Assert.Equal("/settle", Assert.Single(facilitator.Calls).Path);
    }

    [Fact]
    public async Task An_invalid_verdict_is_a_refusal_with_its_reason()
    {
        await using var facilitator = await ScriptedFacilitator.StartAsync();
        facilitator.Verify = ScriptedFacilitator.Json("{\"isValid\":false,\"invalidReason\":\"invalid_exact_evm_signature\",\"payer\":\"0x1\"}");
        using var client = new FacilitatorClient();

        var answer = await client.VerifyAsync(PaymentFixture.Terms(facilitator.Url), Payment(), "http://edge/paid", CancellationToken.None);

        Assert.Equal(FacilitatorOutcome.Refused, answer.Outcome);
        Assert.Equal("invalid_exact_evm_signature", answer.Reason);
    }

    [Theory]
    [InlineData("<html>bad gateway</html>", 200)]
    [InlineData("{\"isValid\":\"yes\",\"payer\":\"0x1\"}", 200)]
    [InlineData("{\"payer\":\"0x1\"}", 200)]
    [InlineData("{\"isValid\":true}", 200)]
    [InlineData("{\"isValid\":true,\"payer\":\"0x1\"}{}", 200)]
    [InlineData("{\"isValid\":true,\"payer\":\"0x1\"}", 500)]
    [InlineData("{\"isValid\":true,\"payer\":\"0x1\"}", 400)]
    [InlineData("{\"isValid\":true,\"payer\":\"0x1\"}", 302)]
    public async Task Garbage_or_an_error_status_is_unavailable_never_valid(string body, int status)
    {
        await using var facilitator = await ScriptedFacilitator.StartAsync();
        facilitator.Verify = ScriptedFacilitator.Json(body, status);
        using var client = new FacilitatorClient();

        var answer = await client.VerifyAsync(PaymentFixture.Terms(facilitator.Url), Payment(), "http://edge/paid", CancellationToken.None);

        Assert.Equal(FacilitatorOutcome.Unavailable, answer.Outcome);
    }

    [Fact]
    public async Task A_settle_success_without_a_transaction_is_unavailable()
    {
        await using var facilitator = await ScriptedFacilitator.StartAsync();
        facilitator.Settle = ScriptedFacilitator.Json("{\"success\":true,\"payer\":\"0x1\",\"transaction\":\"\"}");
        using var client = new FacilitatorClient();

        Assert.Equal(FacilitatorOutcome.Unavailable, (await client.SettleAsync(PaymentFixture.Terms(facilitator.Url), Payment(), "u")).Outcome);
    }

    [Fact]
    public async Task An_endless_answer_is_cut_off_and_unavailable()
    {
        await using var facilitator = await ScriptedFacilitator.StartAsync();
        facilitator.Verify = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"isValid\":true,\"payer\":\"0x1\",\"pad\":\"");
            var chunk = new string('x', 16 * 1024);
            for (var i = 0; i < 64 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.WriteAsync(chunk, context.RequestAborted);
            }
        };
        using var client = new FacilitatorClient();

        var answer = await client.VerifyAsync(PaymentFixture.Terms(facilitator.Url), Payment(), "u", CancellationToken.None);

        Assert.Equal(FacilitatorOutcome.Unavailable, answer.Outcome);
        Assert.Equal("answer too large", answer.Reason);
    }

    [Fact]
    public async Task A_facilitator_that_does_not_answer_in_time_is_unavailable()
    {
        await using var facilitator = await ScriptedFacilitator.StartAsync();
        facilitator.Verify = context => Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        using var client = new FacilitatorClient(verifyTimeout: TimeSpan.FromMilliseconds(300));

        var answer = await client.VerifyAsync(PaymentFixture.Terms(facilitator.Url), Payment(), "u", CancellationToken.None);

        Assert.Equal(FacilitatorOutcome.Unavailable, answer.Outcome);
        Assert.Equal("timed out", answer.Reason);
    }

    [Fact]
    public async Task A_facilitator_nobody_listens_for_is_unavailable()
    {
        using var client = new FacilitatorClient();
        // Port 9 (discard) on loopback: nothing listens there on a test machine; the connection is refused.
        var answer = await client.VerifyAsync(PaymentFixture.Terms("http://127.0.0.1:9/"), Payment(), "u", CancellationToken.None);

        Assert.Equal(FacilitatorOutcome.Unavailable, answer.Outcome);
    }

    [Fact]
    public void Strings_that_would_not_be_safe_in_a_header_or_log_are_dropped()
    {
        var answer = FacilitatorClient.Parse("{\"isValid\":false,\"invalidReason\":\"bad\\r\\nSet-Cookie: x\",\"payer\":\"0x1\"}"u8, settle: false);

        Assert.Equal(FacilitatorOutcome.Refused, answer.Outcome);
        Assert.Equal("unspecified", answer.Reason);
    }
}
