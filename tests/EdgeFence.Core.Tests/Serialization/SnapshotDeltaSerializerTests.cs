using System.Security.Cryptography;
using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;

namespace EdgeFence.Core.Tests.Serialization;

public class SnapshotDeltaSerializerTests
{
    private static readonly byte[] BaseHash = SHA256.HashData("base"u8);

    [Fact]
    public void Delta_survives_a_round_trip()
    {
        var delta = Sample();

        SnapshotDelta read = SnapshotSerializer.DeserializeDelta(SnapshotSerializer.Serialize(delta));

        Assert.Equal(7, read.Version);
        Assert.Equal(6, read.BaseVersion);
        Assert.Equal(BaseHash, read.BaseStateHash);
        Assert.Equal(99, read.CreatedAtUnixMs);
        Assert.Equal(["t1", "t2"], read.Tokens.Select(t => t.Id));
        Assert.True(read.Tokens[1].Revoked);
        Assert.True(read.Tokens[1].Suspended);
        Assert.Equal(SHA256.HashData("gone"u8), Assert.Single(read.RemovedTokenHashes));
        Assert.Equal(SnapshotSerializer.Serialize(delta), SnapshotSerializer.Serialize(read));
    }

    [Fact]
    public void Snapshot_is_not_read_as_a_delta_nor_a_delta_as_a_snapshot()
    {
        var snapshot = SnapshotSerializer.Serialize(new Snapshot { Version = 7 });
        var delta = SnapshotSerializer.Serialize(Sample());

        Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.DeserializeDelta(snapshot));
        Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.Deserialize(delta));
        Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.DeserializeDelta(SnapshotSerializer.Serialize(new WalletBook { Version = 1 })));
        object?[] wire = ["wallets", 1, 2L, 0L, 1L, BaseHash, Array.Empty<object>(), Array.Empty<object>()];
        Assert.Contains("not a snapshot delta", Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.DeserializeDelta(Wire.Encode(wire))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_delta_is_refused_with_a_format_error()
    {
        var bytes = SnapshotSerializer.Serialize(Sample());
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.DeserializeDelta(bytes.AsMemory(0, length)));
        }
    }

    [Fact]
    public void Removed_hash_that_is_not_32_bytes_is_refused_on_write_and_named_on_read()
    {
        var bad = new SnapshotDelta { Version = 2, BaseVersion = 1, BaseStateHash = BaseHash, RemovedTokenHashes = [new byte[31]] };

        Assert.Contains("removedTokenHashes[0]", Assert.Throws<ArgumentException>(() => SnapshotSerializer.Serialize(bad)).Message, StringComparison.Ordinal);
        object?[] wire = ["delta", 1, 2L, 0L, 1L, BaseHash, Array.Empty<object>(), new object?[] { new byte[31] }];
        Assert.Contains("removedTokenHashes[0].hash", Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.DeserializeDelta(Wire.Encode(wire))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delta_with_more_tokens_than_the_limit_is_refused_from_its_header()
    {
        // A forged array header: no tokens follow, the count alone must be refused.
        object?[] wire = ["delta", 1, 2L, 0L, 1L, BaseHash];
        var head = Wire.Encode(wire);
        var bytes = new byte[head.Length + 5];
        head.CopyTo(bytes, 0);
        bytes[0] = 0x98; // fixarray of 8 instead of 6
        bytes[head.Length] = 0xdd; // array32
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(head.Length + 1), SnapshotLimits.MaxDeltaTokens + 1);

        Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.DeserializeDelta(bytes));
    }

    [Fact]
    public void Snapshot_state_hash_is_written_only_when_set_and_read_back()
    {
        var plain = SnapshotSerializer.Serialize(new Snapshot { Version = 3 });
        var withHash = SnapshotSerializer.Serialize(new Snapshot { Version = 3, StateHash = BaseHash });

        Assert.Equal(0x97, plain[0]);
        Assert.Equal(0x98, withHash[0]);
        Assert.Empty(SnapshotSerializer.Deserialize(plain).StateHash);
        Assert.Equal(BaseHash, SnapshotSerializer.Deserialize(withHash).StateHash);
    }

    private static SnapshotDelta Sample() => new()
    {
        Version = 7,
        BaseVersion = 6,
        BaseStateHash = BaseHash,
        CreatedAtUnixMs = 99,
        Tokens =
        [
            new TokenRecord { Id = "t1", SiteId = "s1", PlanId = "p1", Customer = "c1", Hash = SHA256.HashData("one"u8) },
            new TokenRecord { Id = "t2", SiteId = "s1", PlanId = "p1", Customer = "c2", Hash = SHA256.HashData("two"u8), Revoked = true, Suspended = true },
        ],
        RemovedTokenHashes = [SHA256.HashData("gone"u8)],
    };
}
