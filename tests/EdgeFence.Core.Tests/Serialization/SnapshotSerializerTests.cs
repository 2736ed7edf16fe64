using System.Diagnostics;
using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;
using Xunit.Abstractions;

namespace EdgeFence.Core.Tests.Serialization;

public class SnapshotSerializerTests(ITestOutputHelper output)
{
    [Fact]
    public void Snapshot_with_every_field_set_survives_a_round_trip()
    {
        Snapshot original = SnapshotSamples.EveryFieldSet();

        Snapshot copy = SnapshotSerializer.Deserialize(SnapshotSerializer.Serialize(original));

        AssertEquivalent(original, copy);
    }

    [Fact]
    public void Snapshot_with_default_values_survives_a_round_trip()
    {
        Snapshot original = SnapshotSamples.Defaults();

        Snapshot copy = SnapshotSerializer.Deserialize(SnapshotSerializer.Serialize(original));

        AssertEquivalent(original, copy);
        Assert.Null(copy.Plans[0].QuotaUnits);
        Assert.Null(copy.Plans[0].RateLimitRequests);
        Assert.Null(copy.Resources[0].PrivatePath);
        Assert.Empty(copy.Sites[0].OriginKeyHash);
    }

    [Fact]
    public void Empty_snapshot_survives_a_round_trip()
    {
        Snapshot copy = SnapshotSerializer.Deserialize(SnapshotSerializer.Serialize(new Snapshot { Version = 9 }));

        Assert.Equal(9, copy.Version);
        Assert.Empty(copy.Sites);
        Assert.Empty(copy.Tokens);
    }

    [Fact]
    public void Serializing_the_same_snapshot_twice_gives_identical_bytes()
    {
        byte[] first = SnapshotSerializer.Serialize(SnapshotSamples.EveryFieldSet());
        byte[] second = SnapshotSerializer.Serialize(SnapshotSamples.EveryFieldSet());
        byte[] reserialized = SnapshotSerializer.Serialize(SnapshotSerializer.Deserialize(first));

        Assert.Equal(first, second);
        Assert.Equal(first, reserialized);
    }

    [Fact]
    public void Snapshot_is_an_array_that_starts_with_format_version_1()
    {
        byte[] bytes = SnapshotSerializer.Serialize(SnapshotSamples.Defaults());

        Assert.Equal(0x97, bytes[0]); // fixarray of 7
        Assert.Equal(0x01, bytes[1]); // format version 1
    }

    [Fact]
    public void Unknown_trailing_fields_in_every_object_are_skipped()
    {
        var junk = new Dictionary<string, object?> { ["future"] = new object?[] { 1, "two", new byte[] { 3 }, null } };
        object?[] site = Wire.Append(Wire.Site(), "extra", 5L);
        site[7] = new object?[] { Wire.Append(Wire.NameValue(), true) };
        object?[] snapshot =
        [
            1, 8L, 123L,
            new object?[] { site },
            new object?[] { Wire.Append(Wire.Plan(), junk) },
            new object?[] { Wire.Append(Wire.Resource(), null, null) },
            new object?[] { Wire.Append(Wire.Token(), false, "later", junk), Wire.Token() },
            Array.Empty<byte>(), "root extra", junk,
        ];

        Snapshot result = SnapshotSerializer.Deserialize(Wire.Encode(snapshot));

        Assert.Equal(8, result.Version);
        Assert.Equal(123, result.CreatedAtUnixMs);
        Assert.Equal("s1", result.Sites[0].Id);
        Assert.Equal(new NameValue("X-Key", "v"), result.Sites[0].StaticHeaders[0]);
        Assert.Equal("Free", result.Plans[0].Name);
        Assert.Equal(["GET"], result.Resources[0].Methods);
        Assert.Equal(2, result.Tokens.Count);
        Assert.Equal("c1", result.Tokens[1].Customer);
    }

    [Fact]
    public void Suspended_is_written_only_for_a_suspended_token_and_read_back()
    {
        var snapshot = SnapshotSamples.Defaults();
        var plain = snapshot.Tokens[0];
        var suspended = new TokenRecord { Id = "t2", SiteId = "s", PlanId = "p", Customer = "c", Hash = new byte[32], Suspended = true };
        var both = new Snapshot { Version = 2, Sites = snapshot.Sites, Plans = snapshot.Plans, Resources = snapshot.Resources, Tokens = [plain, suspended] };
        var oneToken = new Snapshot { Version = 2, Sites = snapshot.Sites, Plans = snapshot.Plans, Resources = snapshot.Resources, Tokens = [plain] };

        var copy = SnapshotSerializer.Deserialize(SnapshotSerializer.Serialize(both));

        Assert.False(copy.Tokens[0].Suspended);
        Assert.True(copy.Tokens[1].Suspended);

        // A token that is not suspended is written as before the field existed: 7 fields, not 8.
        Assert.Equal([7, 8], TokenFieldCounts(SnapshotSerializer.Serialize(both)));
        Assert.Equal([7], TokenFieldCounts(SnapshotSerializer.Serialize(oneToken)));
    }

    /// <summary>The array length of each token record on the wire (the snapshot's seventh member is the token list).</summary>
    private static int[] TokenFieldCounts(byte[] bytes)
    {
        var reader = new MessagePack.MessagePackReader(bytes);
        reader.ReadArrayHeader();
        for (var i = 0; i < 6; i++)
        {
            reader.Skip();
        }

        var counts = new int[reader.ReadArrayHeader()];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = reader.ReadArrayHeader();
            for (var f = 0; f < counts[i]; f++)
            {
                reader.Skip();
            }
        }

        return counts;
    }

    [Fact]
    public void A_snapshot_written_before_prices_reads_with_free_token_paid_defaults()
    {
        // An edge upgraded in place still loads the snapshot it persisted with the earlier layout.
        object?[] snapshot =
        [
            1, 8L, 123L,
            new object?[] { Wire.FirstWaveSite() },
            new object?[] { Wire.FirstWavePlan() },
            new object?[] { Wire.FirstWaveResource() },
            new object?[] { Wire.Token() },
        ];

        Snapshot result = SnapshotSerializer.Deserialize(Wire.Encode(snapshot));

        Assert.Null(result.Sites[0].TopUpUrl);
        Assert.Null(result.Sites[0].X402);
        Assert.Equal(PlanBilling.Subscription, result.Plans[0].Billing);
        Assert.Empty(result.Plans[0].ResourcePrices);
        Assert.Equal(0, result.Resources[0].PriceMicros);
        Assert.Equal("USD", result.Resources[0].Currency);
        Assert.Equal(ResourcePayment.Token, result.Resources[0].Payment);
        Assert.Equal(ResourceKind.Http, result.Resources[0].Kind);
        Assert.Null(result.Resources[0].McpTool);
    }

    [Fact]
    public void A_resource_written_before_mcp_reads_as_plain_http()
    {
        object?[] snapshot = [1, 8L, 123L, new object?[] { Wire.Site() }, new object?[] { Wire.Plan() }, new object?[] { Wire.Append(Wire.FirstWaveResource(), 5L, "EUR", 0) }, new object?[] { Wire.Token() }];

        Snapshot result = SnapshotSerializer.Deserialize(Wire.Encode(snapshot));

        Assert.Equal(5, result.Resources[0].PriceMicros);
        Assert.Equal(ResourceKind.Http, result.Resources[0].Kind);
        Assert.Null(result.Resources[0].McpTool);
    }

    [Fact]
    public void An_mcp_tool_resource_survives_a_round_trip_and_an_undefined_kind_is_refused()
    {
        var snapshot = SnapshotSamples.EveryFieldSet();
        var tool = Assert.Single(SnapshotSerializer.Deserialize(SnapshotSerializer.Serialize(snapshot)).Resources, r => r.McpTool is not null);
        Assert.Equal(ResourceKind.Mcp, tool.Kind);
        Assert.Equal("search_docs", tool.McpTool);

        object?[] resource = Wire.Resource();
        resource[9] = 7;
        var error = Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.Deserialize(Wire.Encode(new object?[] { 1, 7L, 0L, new object?[] { Wire.Site() }, new object?[] { Wire.Plan() }, new object?[] { resource }, new object?[] { Wire.Token() } })));
        Assert.Contains("kind", error.Message);
    }

    [Fact]
    public void An_undefined_payment_or_billing_value_is_refused_naming_the_field()
    {
        object?[] resource = Wire.Resource();
        resource[8] = 9;
        var error = Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.Deserialize(Wire.Encode(new object?[] { 1, 7L, 0L, new object?[] { Wire.Site() }, new object?[] { Wire.Plan() }, new object?[] { resource }, new object?[] { Wire.Token() } })));
        Assert.Contains("payment", error.Message, StringComparison.Ordinal);

        object?[] plan = Wire.Plan();
        plan[11] = 7;
        error = Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.Deserialize(Wire.Encode(new object?[] { 1, 7L, 0L, new object?[] { Wire.Site() }, new object?[] { plan }, new object?[] { Wire.Resource() }, new object?[] { Wire.Token() } })));
        Assert.Contains("billing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_unknown_field_is_skipped_without_recursion()
    {
        // 200,000 nested arrays: recursive skipping would overflow the stack and kill the process.
        byte[] nested = new byte[200_001];
        nested.AsSpan(0, 200_000).Fill(0x91);
        nested[^1] = 0xc0;
        byte[] prefix = Wire.Encode(Wire.Snapshot());
        prefix[0] = 0x99; // nine fields: the seven required ones, an empty state hash and the nested one

        Snapshot result = SnapshotSerializer.Deserialize(prefix.Concat(new byte[] { 0xc4, 0x00 }).Concat(nested).ToArray());

        Assert.Equal(7, result.Version);
    }

    /// <summary>
    /// A million tokens decode whole and intact. The time is printed, never asserted (tests assert no timings: a loaded
    /// CI machine made a bound flaky); <c>scripts/measure-snapshot.py</c> measures the native edge's apply.
    /// </summary>
    [Fact]
    public void A_million_token_snapshot_decodes_whole()
    {
        var snapshot = SnapshotSamples.WithTokens(1_000_000);
        byte[] bytes = SnapshotSerializer.Serialize(snapshot);

        var stopwatch = Stopwatch.StartNew();
        var decoded = SnapshotSerializer.Deserialize(bytes);
        stopwatch.Stop();

        output.WriteLine($"{bytes.Length / 1_000_000.0:F1} MB decoded in {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(1_000_000, decoded.Tokens.Count);
        foreach (var i in new[] { 0, 1, 499_999, 999_999 })
        {
            var (expected, actual) = (snapshot.Tokens[i], decoded.Tokens[i]);
            Assert.Equal((expected.Id, expected.SiteId, expected.PlanId, expected.Customer, expected.ExpiresAtUnix, expected.Revoked), (actual.Id, actual.SiteId, actual.PlanId, actual.Customer, actual.ExpiresAtUnix, actual.Revoked));
            Assert.Equal(expected.Hash, actual.Hash);
        }
    }

    [Fact]
    public void Wallet_book_round_trips_and_is_never_read_as_a_snapshot()
    {
        var book = new WalletBook
        {
            Version = 9,
            CreatedAtUnixMs = 1_763_000_000_000,
            Wallets = [new WalletRecord("site-1", "cus 1", "USD", 5_000_000), new WalletRecord("site-1", "cus_2", "EUR", 0)],
        };

        byte[] bytes = SnapshotSerializer.Serialize(book);
        WalletBook copy = SnapshotSerializer.DeserializeWallets(bytes);

        Assert.Equal(9, copy.Version);
        Assert.Equal(book.CreatedAtUnixMs, copy.CreatedAtUnixMs);
        Assert.Equal(book.Wallets, copy.Wallets);
        Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.Deserialize(bytes));
        Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.DeserializeWallets(SnapshotSerializer.Serialize(SnapshotSamples.EveryFieldSet())));
    }

    private static void AssertEquivalent(Snapshot expected, Snapshot actual)
    {
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.CreatedAtUnixMs, actual.CreatedAtUnixMs);

        Assert.Equal(expected.Sites.Count, actual.Sites.Count);
        for (int i = 0; i < expected.Sites.Count; i++)
        {
            Site e = expected.Sites[i], a = actual.Sites[i];
            Assert.Equal(e.Id, a.Id);
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Slug, a.Slug);
            Assert.Equal(e.OriginUrl, a.OriginUrl);
            Assert.Equal(e.Hosts, a.Hosts);
            Assert.Equal(e.HmacSecret, a.HmacSecret);
            Assert.Equal(e.OriginKeyHash, a.OriginKeyHash);
            Assert.Equal(e.StaticHeaders, a.StaticHeaders);
            Assert.Equal(e.StaticQuery, a.StaticQuery);
            Assert.Equal(e.DenyByDefault, a.DenyByDefault);
            Assert.Equal(e.TopUpUrl, a.TopUpUrl);
            Assert.Equal(e.X402 is null, a.X402 is null);
            if (e.X402 is { } x && a.X402 is { } y)
            {
                Assert.Equal(
                    (x.FacilitatorUrl, x.Network, x.Asset, x.PayTo, x.AssetName, x.AssetVersion, x.AssetDecimals, x.Currency, x.MaxTimeoutSeconds),
                    (y.FacilitatorUrl, y.Network, y.Asset, y.PayTo, y.AssetName, y.AssetVersion, y.AssetDecimals, y.Currency, y.MaxTimeoutSeconds));
            }
        }

        Assert.Equal(expected.Plans.Count, actual.Plans.Count);
        for (int i = 0; i < expected.Plans.Count; i++)
        {
            Plan e = expected.Plans[i], a = actual.Plans[i];
            Assert.Equal(e.Id, a.Id);
            Assert.Equal(e.SiteId, a.SiteId);
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.QuotaUnits, a.QuotaUnits);
            Assert.Equal(e.QuotaPeriod, a.QuotaPeriod);
            Assert.Equal(e.QuotaMode, a.QuotaMode);
            Assert.Equal(e.RateLimitRequests, a.RateLimitRequests);
            Assert.Equal(e.RateLimitWindowSeconds, a.RateLimitWindowSeconds);
            Assert.Equal(e.PriceMicros, a.PriceMicros);
            Assert.Equal(e.Currency, a.Currency);
            Assert.Equal(e.ResourceIds, a.ResourceIds);
            Assert.Equal(e.Billing, a.Billing);
            Assert.Equal(e.ResourcePrices, a.ResourcePrices);
        }

        Assert.Equal(expected.Resources.Count, actual.Resources.Count);
        for (int i = 0; i < expected.Resources.Count; i++)
        {
            Resource e = expected.Resources[i], a = actual.Resources[i];
            Assert.Equal(e.Id, a.Id);
            Assert.Equal(e.SiteId, a.SiteId);
            Assert.Equal(e.Pattern, a.Pattern);
            Assert.Equal(e.Methods, a.Methods);
            Assert.Equal(e.Cost, a.Cost);
            Assert.Equal(e.PrivatePath, a.PrivatePath);
            Assert.Equal(e.PriceMicros, a.PriceMicros);
            Assert.Equal(e.Currency, a.Currency);
            Assert.Equal(e.Payment, a.Payment);
            Assert.Equal(e.Kind, a.Kind);
            Assert.Equal(e.McpTool, a.McpTool);
        }

        Assert.Equal(expected.Tokens.Count, actual.Tokens.Count);
        for (int i = 0; i < expected.Tokens.Count; i++)
        {
            TokenRecord e = expected.Tokens[i], a = actual.Tokens[i];
            Assert.Equal(e.Id, a.Id);
            Assert.Equal(e.SiteId, a.SiteId);
            Assert.Equal(e.PlanId, a.PlanId);
            Assert.Equal(e.Customer, a.Customer);
            Assert.Equal(e.Hash, a.Hash);
            Assert.Equal(e.ExpiresAtUnix, a.ExpiresAtUnix);
            Assert.Equal(e.Revoked, a.Revoked);
            Assert.Equal(e.Suspended, a.Suspended);
        }
    }
}
