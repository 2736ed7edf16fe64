using EdgeFence.Core.Channel;
using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;

namespace EdgeFence.Core.Tests.Channel;

public sealed class ChannelEntryCodecTests
{
    [Fact]
    public void Revocation_and_credit_round_trip_exactly()
    {
        foreach (var entry in new[]
        {
            ChannelEntry.Revoke("tok_1", 42, 1_700_000_000_000),
            ChannelEntry.Credit("site_1", "acme co", "USD", 4_000, 7, 1_700_000_000_001),
            ChannelEntry.Heartbeat(42, 1_700_000_000_002),
        })
        {
            Assert.True(ChannelEntryCodec.TryDecode(ChannelEntryCodec.Encode(entry), out var decoded, out var error), error);
            Assert.Equal(entry, decoded);
        }
    }

    [Fact]
    public void Wallet_book_bytes_signed_with_the_same_key_are_not_a_channel_entry()
    {
        var book = SnapshotSerializer.Serialize(new WalletBook { Version = 1, CreatedAtUnixMs = 1, Wallets = [] });
        Assert.False(ChannelEntryCodec.TryDecode(book, out _, out var error));
        Assert.Contains("not a channel entry", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Entry_larger_than_the_limit_truncated_or_without_its_fields_is_refused()
    {
        Assert.False(ChannelEntryCodec.TryDecode(new byte[ChannelEntryCodec.MaxEntryBytes + 1], out _, out _));
        var bytes = ChannelEntryCodec.Encode(ChannelEntry.Revoke("tok_1", 42, 1));
        Assert.False(ChannelEntryCodec.TryDecode(bytes.AsMemory(0, bytes.Length - 3), out _, out _));
        Assert.False(ChannelEntryCodec.TryDecode(ChannelEntryCodec.Encode(ChannelEntry.Revoke("", 42, 1)), out _, out _));
        Assert.False(ChannelEntryCodec.TryDecode(ChannelEntryCodec.Encode(ChannelEntry.Revoke("tok_1", 0, 1)), out _, out _));
    }
}
