using System.Net;
using EdgeFence.ControlPlane.Tests.Infrastructure;
using EdgeFence.Core.Model;
using EdgeFence.Core.Security;
using EdgeFence.Core.Serialization;
using EdgeFence.Core.Validation;

namespace EdgeFence.ControlPlane.Tests.Wallets;

public sealed class WalletBookTests
{
    [Fact]
    public async Task New_database_serves_version_1_of_an_empty_signed_wallet_book_to_the_edge_key()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        using var publicKey = SnapshotSigner.LoadPublicKeyPem(await File.ReadAllTextAsync(controlPlane.PublicKeyPath));

        var (bytes, signature, version) = await controlPlane.GetWalletsAsync();

        Assert.Equal(1, version);
        Assert.True(SnapshotSigner.Verify(bytes, signature, publicKey));
        var book = SnapshotSerializer.DeserializeWallets(bytes);
        Assert.Equal(1, book.Version);
        Assert.Empty(book.Wallets);
        Assert.Empty(SnapshotValidator.Validate(book));

        // The edge key reads the book and nothing else of the wallets API.
        var deposit = await controlPlane.SendAsync(HttpMethod.Post, "/v1/customers/acme/deposits", new { siteId = "s", amountMicros = 1, currency = "USD", idempotencyKey = "k" }, ControlPlaneHost.EdgeKey);
        var balance = await controlPlane.SendAsync(HttpMethod.Get, "/v1/customers/acme/balance?siteId=s", null, ControlPlaneHost.EdgeKey);
        var anonymous = await controlPlane.SendAsync(HttpMethod.Get, "/v1/wallets", null, null);
        Assert.Equal(HttpStatusCode.Unauthorized, deposit.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, balance.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
    }

    [Fact]
    public async Task Wallet_book_after_deposits_verifies_with_the_public_key_and_holds_each_balance_sum()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        using var publicKey = SnapshotSigner.LoadPublicKeyPem(await File.ReadAllTextAsync(controlPlane.PublicKeyPath));
        var a = await Deposits.CreateSiteAsync(controlPlane, "a");
        var b = await Deposits.CreateSiteAsync(controlPlane, "b");
        await Deposits.CreditAsync(controlPlane, "acme", a, 1_000_000, "USD", "1");
        await Deposits.CreditAsync(controlPlane, "acme", a, 2_500_000, "USD", "2");
        await Deposits.CreditAsync(controlPlane, "acme", a, 300, "EUR", "3");
        await Deposits.CreditAsync(controlPlane, "globex", a, 42, "USD", "4");
        var last = await Deposits.CreditAsync(controlPlane, "acme", b, 7, "USDC", "5");

        var (bytes, signature, version) = await controlPlane.GetWalletsAsync();

        Assert.True(SnapshotSigner.Verify(bytes, signature, publicKey));
        var book = SnapshotSerializer.DeserializeWallets(bytes);
        Assert.Equal(last.Json.GetProperty("walletVersion").GetInt64(), version);
        Assert.Equal(version, book.Version);
        Assert.Empty(SnapshotValidator.Validate(book));
        WalletRecord[] expected = [new(a, "acme", "EUR", 300), new(a, "acme", "USD", 3_500_000), new(a, "globex", "USD", 42), new(b, "acme", "USDC", 7)];
        Assert.Equal(expected.OrderBy(Key, StringComparer.Ordinal), book.Wallets.OrderBy(Key, StringComparer.Ordinal));

        // A wallet book is not a snapshot: the edge's snapshot reader refuses it, so one key can sign both.
        Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.Deserialize(bytes));
    }

    [Fact]
    public async Task Deposit_with_an_edge_down_is_still_credited_and_the_wallet_delivery_shows_the_edge_behind()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync([$"http://127.0.0.1:{FreePort.Next()}"], "--ControlPlane:PushWaitMilliseconds=200");
        var siteId = await Deposits.CreateSiteAsync(controlPlane);

        var deposit = await Deposits.CreditAsync(controlPlane, "acme", siteId, 100, "USD", "1");
        var delivery = await controlPlane.GetAsync("/v1/wallets/edges");

        Assert.Equal(HttpStatusCode.OK, delivery.Status);
        Assert.Equal(deposit.Json.GetProperty("walletVersion").GetInt64(), delivery.Json.GetProperty("latestVersion").GetInt64());
        var edge = Assert.Single(delivery.Json.GetProperty("edges").EnumerateArray());
        Assert.True(edge.GetProperty("consecutiveFailures").GetInt32() > 0, edge.ToString());
        Assert.StartsWith("unreachable", edge.GetProperty("lastResult").GetString(), StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, edge.GetProperty("appliedVersion").ValueKind);
    }

    private static string Key(WalletRecord wallet) => wallet.SiteId + "\n" + wallet.Customer + "\n" + wallet.Currency;

    [Fact]
    public async Task Wallet_book_survives_a_restart_and_a_replaced_key_reissues_it_under_a_new_version()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var siteId = await Deposits.CreateSiteAsync(controlPlane);
        await Deposits.CreditAsync(controlPlane, "acme", siteId, 1_000_000, "USD", "1");
        var before = await controlPlane.GetWalletsAsync();

        await controlPlane.RestartAsync();
        var restarted = await controlPlane.GetWalletsAsync();

        Assert.Equal(before.Version, restarted.Version);
        Assert.Equal(before.Bytes, restarted.Bytes);

        await controlPlane.StopAsync();
        File.Delete(controlPlane.SigningKeyPath);
        File.Delete(controlPlane.PublicKeyPath);
        await controlPlane.RestartAsync();
        var resigned = await controlPlane.GetWalletsAsync();

        Assert.Equal(before.Version + 1, resigned.Version);
        using var newKey = SnapshotSigner.LoadPublicKeyPem(await File.ReadAllTextAsync(controlPlane.PublicKeyPath));
        Assert.True(SnapshotSigner.Verify(resigned.Bytes, resigned.Signature, newKey));
        Assert.Equal(new WalletRecord(siteId, "acme", "USD", 1_000_000), Assert.Single(SnapshotSerializer.DeserializeWallets(resigned.Bytes).Wallets));
        Assert.Contains(controlPlane.Logs.Lines, l => l.Contains("[403]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deleted_site_leaves_the_wallet_book_at_the_next_deposit_but_keeps_its_ledger()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var gone = await Deposits.CreateSiteAsync(controlPlane, "gone");
        var kept = await Deposits.CreateSiteAsync(controlPlane, "kept");
        var deposit = await Deposits.CreditAsync(controlPlane, "acme", gone, 1_000, "USD", "1");
        Assert.Equal(HttpStatusCode.NoContent, (await controlPlane.DeleteAsync($"/v1/sites/{gone}")).Status);

        await Deposits.CreditAsync(controlPlane, "acme", kept, 2_000, "USD", "1");
        var book = SnapshotSerializer.DeserializeWallets((await controlPlane.GetWalletsAsync()).Bytes);
        var ledger = await controlPlane.GetAsync($"/v1/customers/acme/ledger?siteId={gone}");

        Assert.Equal(kept, Assert.Single(book.Wallets).SiteId);
        Assert.Equal(HttpStatusCode.OK, ledger.Status);
        Assert.Equal(deposit.Text, Assert.Single(ledger.Json.GetProperty("deposits").EnumerateArray()).GetRawText());
    }
}
