using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Model;

namespace EdgeFence.ControlPlane.Tests.Wallets;

public sealed class DepositTests
{
    [Fact]
    public async Task Deposit_is_credited_once_and_a_replay_answers_the_first_result_with_a_replay_header()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);

        var first = await Deposits.PostAsync(controlPlane, "acme", siteId, 5_000_000, "USD", "order-1");
        var replay = await Deposits.PostAsync(controlPlane, "acme", siteId, 5_000_000, "USD", "order-1");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.StartsWith("dep_", first.Str("id"), StringComparison.Ordinal);
        Assert.Equal(siteId, first.Str("siteId"));
        Assert.Equal("acme", first.Str("customer"));
        Assert.Equal("USD", first.Str("currency"));
        Assert.Equal(5_000_000, first.Json.GetProperty("amountMicros").GetInt64());
        Assert.Equal("order-1", first.Str("idempotencyKey"));
        Assert.Equal(5_000_000, first.Json.GetProperty("creditedMicros").GetInt64());
        Assert.Equal(2, first.Json.GetProperty("walletVersion").GetInt64());

        Assert.Equal(HttpStatusCode.Created, replay.Status);
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(first.Text, replay.Text);
        Assert.Equal(1, DatabaseFile.Count(controlPlane.DatabasePath, "deposits"));
        Assert.Equal(2, await controlPlane.WalletVersionAsync());

        // A second key is a second credit.
        var second = await Deposits.CreditAsync(controlPlane, "acme", siteId, 2_500_000, "USD", "order-2");
        Assert.Equal(7_500_000, second.Json.GetProperty("creditedMicros").GetInt64());
        Assert.Equal(3, second.Json.GetProperty("walletVersion").GetInt64());
    }

    [Fact]
    public async Task Same_key_with_a_different_amount_or_currency_is_409_and_credits_nothing()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);
        var first = await Deposits.CreditAsync(controlPlane, "acme", siteId, 5_000_000, "USD", "order-1");

        var otherAmount = await Deposits.PostAsync(controlPlane, "acme", siteId, 6_000_000, "USD", "order-1");
        var otherCurrency = await Deposits.PostAsync(controlPlane, "acme", siteId, 5_000_000, "EUR", "order-1");

        Assert.Equal(HttpStatusCode.Conflict, otherAmount.Status);
        Assert.Equal("application/problem+json", otherAmount.ContentType);
        Assert.Equal("urn:edgefence:problem:idempotency-key-reused", otherAmount.Str("type"));
        Assert.Equal("amountMicros", otherAmount.Str("field"));
        Assert.Contains(first.Str("id"), otherAmount.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, otherCurrency.Status);
        Assert.Equal("currency", otherCurrency.Str("field"));
        Assert.Equal(1, DatabaseFile.Count(controlPlane.DatabasePath, "deposits"));
        Assert.Equal(2, await controlPlane.WalletVersionAsync());

        // A key is scoped to its customer and site: the same key elsewhere is a deposit of its own.
        var otherSiteId = await Deposits.CreateSiteAsync(controlPlane, "b");
        await Deposits.CreditAsync(controlPlane, "globex", siteId, 1_000_000, "USD", "order-1");
        await Deposits.CreditAsync(controlPlane, "acme", otherSiteId, 1_000_000, "USD", "order-1");
        Assert.Equal(3, DatabaseFile.Count(controlPlane.DatabasePath, "deposits"));
    }

    [Theory]
    [InlineData("""{"siteId":"$site","amountMicros":0,"currency":"USD","idempotencyKey":"k"}""", "amountMicros")]
    [InlineData("""{"siteId":"$site","amountMicros":-5,"currency":"USD","idempotencyKey":"k"}""", "amountMicros")]
    [InlineData("""{"siteId":"$site","amountMicros":1.5,"currency":"USD","idempotencyKey":"k"}""", "amountMicros")]
    [InlineData("""{"siteId":"$site","amountMicros":1000000000000000.5,"currency":"USD","idempotencyKey":"k"}""", "amountMicros")]
    [InlineData("""{"siteId":"$site","amountMicros":1000000000000001,"currency":"USD","idempotencyKey":"k"}""", "amountMicros")]
    [InlineData("""{"siteId":"$site","amountMicros":1e40,"currency":"USD","idempotencyKey":"k"}""", "amountMicros")]
    [InlineData("""{"siteId":"$site","amountMicros":"100","currency":"USD","idempotencyKey":"k"}""", "amountMicros")]
    [InlineData("""{"siteId":"$site","currency":"USD","idempotencyKey":"k"}""", "amountMicros")]
    [InlineData("""{"siteId":"$site","amountMicros":100,"currency":"usd","idempotencyKey":"k"}""", "currency")]
    [InlineData("""{"siteId":"$site","amountMicros":100,"currency":"XYZ","idempotencyKey":"k"}""", "currency")]
    [InlineData("""{"siteId":"$site","amountMicros":100,"idempotencyKey":"k"}""", "currency")]
    [InlineData("""{"siteId":"$site","amountMicros":100,"currency":"USD"}""", "idempotencyKey")]
    [InlineData("""{"siteId":"$site","amountMicros":100,"currency":"USD","idempotencyKey":""}""", "idempotencyKey")]
    [InlineData("""{"siteId":"$site","amountMicros":100,"currency":"USD","idempotencyKey":"$long"}""", "idempotencyKey")]
    [InlineData("""{"siteId":"$site","amountMicros":100,"currency":"USD","idempotencyKey":"caf\u00e9"}""", "idempotencyKey")]
    [InlineData("""{"amountMicros":100,"currency":"USD","idempotencyKey":"k"}""", "siteId")]
    [InlineData("""{"siteId":"$site","amountMicros":100,"currency":"USD","idempotencyKey":"k","note":"x"}""", "note")]
    [InlineData("""{"siteId":"$site","amountMicros":100,""", "$")]
    [InlineData("""[1,2]""", "$")]
    public async Task Bad_deposit_is_a_400_problem_naming_the_field_and_writes_nothing(string body, string field)
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);

        var response = await controlPlane.PostAsync("/v1/customers/acme/deposits", body.Replace("$site", siteId, StringComparison.Ordinal).Replace("$long", new string('k', 256), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("urn:edgefence:problem:invalid-request", response.Str("type"));
        Assert.Equal(field, response.Str("field"));
        Assert.Equal(0, DatabaseFile.Count(controlPlane.DatabasePath, "deposits"));
        Assert.Equal(0, DatabaseFile.Count(controlPlane.DatabasePath, "wallets"));
        Assert.Equal(1, await controlPlane.WalletVersionAsync());
    }

    [Fact]
    public async Task Every_mistake_of_one_request_is_named_in_one_answer()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();

        var response = await controlPlane.PostAsync("/v1/customers/acme/deposits", new { amountMicros = 0, currency = "usd" });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(["siteId", "amountMicros", "currency", "idempotencyKey"], response.ProblemFields());
    }

    [Fact]
    public async Task Deposit_to_an_unknown_site_is_a_404_naming_siteId_and_a_bad_customer_id_a_400()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);

        var unknown = await Deposits.PostAsync(controlPlane, "acme", "site_nope", 100, "USD", "k");
        var longCustomer = await Deposits.PostAsync(controlPlane, new string('c', 257), siteId, 100, "USD", "k");
        var controlCharacter = await Deposits.PostAsync(controlPlane, "ac\tme", siteId, 100, "USD", "k");

        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("urn:edgefence:problem:not-found", unknown.Str("type"));
        Assert.Equal("siteId", unknown.Str("field"));
        Assert.Equal(HttpStatusCode.BadRequest, longCustomer.Status);
        Assert.Equal("customer", longCustomer.Str("field"));
        Assert.Equal(HttpStatusCode.BadRequest, controlCharacter.Status);
        Assert.Equal("customer", controlCharacter.Str("field"));
        Assert.Equal(0, DatabaseFile.Count(controlPlane.DatabasePath, "deposits"));
        Assert.Equal(1, await controlPlane.WalletVersionAsync());
    }

    [Fact]
    public async Task Customer_ids_with_spaces_and_braces_are_credited_as_given()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);

        var deposit = await Deposits.CreditAsync(controlPlane, "Acme {EU} #1", siteId, 100, "USD", "k");

        Assert.Equal("Acme {EU} #1", deposit.Str("customer"));
    }

    [Fact]
    public async Task Credited_total_past_its_limit_is_refused_and_the_balance_keeps_what_it_had()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);
        // One real deposit, then its total raised to the limit in place: 1000 deposits of the largest amount would only be slow.
        await Deposits.CreditAsync(controlPlane, "acme", siteId, Currency.MaxAmountMicros, "USD", "k0");
        DatabaseFile.Execute(controlPlane.DatabasePath, $"UPDATE wallets SET credited_micros = {1000 * Currency.MaxAmountMicros}");

        var over = await Deposits.PostAsync(controlPlane, "acme", siteId, 1, "USD", "k1");

        Assert.Equal(HttpStatusCode.BadRequest, over.Status);
        Assert.Equal("amountMicros", over.Str("field"));
        Assert.Equal(1, DatabaseFile.Count(controlPlane.DatabasePath, "deposits"));
    }

    [Fact]
    public async Task Concurrent_deposits_with_distinct_keys_are_all_credited_each_in_its_own_version()
    {
        const int Count = 20;
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);

        var results = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => Deposits.PostAsync(controlPlane, "acme", siteId, 1_000 + i, "USD", $"k{i}")));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.Equal(Enumerable.Range(2, Count).Select(v => (long)v), results.Select(r => r.Json.GetProperty("walletVersion").GetInt64()).Order());
        var expected = Enumerable.Range(0, Count).Sum(i => 1_000L + i);
        Assert.Equal(expected, results.Max(r => r.Json.GetProperty("creditedMicros").GetInt64()));
        Assert.Equal(Count, DatabaseFile.Count(controlPlane.DatabasePath, "deposits"));
        Assert.Equal(1 + Count, await controlPlane.WalletVersionAsync());
    }

    [Fact]
    public async Task Concurrent_deposits_with_one_key_credit_once_and_all_answer_the_same()
    {
        const int Count = 20;
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);

        var results = await Task.WhenAll(Enumerable.Range(0, Count).Select(_ => Deposits.PostAsync(controlPlane, "acme", siteId, 7_000_000, "USD", "once")));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.Single(results.Select(r => r.Text).Distinct());
        Assert.Single(results, r => !r.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, DatabaseFile.Count(controlPlane.DatabasePath, "deposits"));
        Assert.Equal(7_000_000, results[0].Json.GetProperty("creditedMicros").GetInt64());
        Assert.Equal(2, await controlPlane.WalletVersionAsync());
    }
}
