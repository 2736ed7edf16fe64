using EdgeFence.Core.Model;
using EdgeFence.Core.Serialization;

namespace EdgeFence.Core.Tests.Serialization;

public class SnapshotSerializerMalformedInputTests
{
    [Fact]
    public void Truncated_snapshot_is_rejected_with_a_clear_error()
    {
        byte[] bytes = SnapshotSerializer.Serialize(SnapshotSamples.EveryFieldSet());

        Assert.Equal("snapshot is empty", Reject(ReadOnlyMemory<byte>.Empty).Message);
        for (int length = 1; length < bytes.Length; length++)
        {
            SnapshotFormatException e = Reject(bytes.AsMemory(0, length));
            Assert.Equal("snapshot is truncated", e.Message);
        }
    }

    [Fact]
    public void Random_garbage_raises_only_SnapshotFormatException()
    {
        var random = new Random(20251124);
        for (int i = 0; i < 500; i++)
        {
            byte[] garbage = new byte[random.Next(2, 300)];
            random.NextBytes(garbage);
            if (i % 2 == 0)
            {
                // Half the cases start like a snapshot, so they get past the root header.
                garbage[0] = 0x97;
                garbage[1] = 0x01;
            }

            Reject(garbage);
        }
    }

    [Fact]
    public void Randomly_damaged_snapshots_decode_or_raise_only_SnapshotFormatException()
    {
        byte[] valid = SnapshotSerializer.Serialize(SnapshotSamples.EveryFieldSet());
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            byte[] damaged = (byte[])valid.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            }

            try
            {
                SnapshotSerializer.Deserialize(damaged);
            }
            catch (SnapshotFormatException)
            {
            }
        }
    }

    [Fact]
    public void Trailing_bytes_after_the_snapshot_are_rejected()
    {
        byte[] bytes = [.. SnapshotSerializer.Serialize(SnapshotSamples.Defaults()), 0xc0, 0x01];

        Assert.Equal("snapshot is followed by 2 unexpected bytes", Reject(bytes).Message);
    }

    [Fact]
    public void Format_version_2_is_rejected()
    {
        object?[] snapshot = Wire.Snapshot();
        snapshot[0] = 2;

        SnapshotFormatException e = Reject(Wire.Encode(snapshot));

        Assert.Equal("formatVersion: unknown format version 2, this build reads 1", e.Message);
    }

    [Fact]
    public void Token_hash_of_31_bytes_is_rejected()
    {
        object?[] token = Wire.Token();
        token[4] = new byte[31];

        SnapshotFormatException e = Reject(Wire.Encode(SnapshotWithTokens([Wire.Token(), token])));

        Assert.Equal("tokens[1].hash: expected a 32-byte SHA-256 hash, found 31 bytes", e.Message);
        Assert.Equal("tokens[1].hash", e.Field);
    }

    [Fact]
    public void Object_with_fewer_fields_than_this_build_knows_is_rejected()
    {
        object?[] token = Wire.Token()[..6];

        Assert.Equal("tokens[0]: expected 7 fields, found 6", Reject(Wire.Encode(SnapshotWithTokens([token]))).Message);
        Assert.Equal("snapshot: expected 7 fields, found 6", Reject(Wire.Encode(Wire.Snapshot()[..6])).Message);
    }

    [Fact]
    public void Wrong_type_is_rejected_naming_the_field()
    {
        object?[] site = Wire.Site();
        site[4] = null;
        object?[] snapshot = Wire.Snapshot();
        snapshot[3] = new object?[] { Wire.Site(), Wire.Site(), site };

        Assert.Equal("sites[2].hosts: expected array, found nil", Reject(Wire.Encode(snapshot)).Message);
    }

    [Theory]
    [InlineData(0, null, "sites[0].id: expected string, found nil")]
    [InlineData(4, new object?[] { "ok", 5 }, "sites[0].hosts[1]: expected string, found integer")]
    [InlineData(5, "secret", "sites[0].hmacSecret: expected binary, found string")]
    [InlineData(9, 1, "sites[0].denyByDefault: expected boolean, found integer")]
    public void Site_field_of_the_wrong_type_is_rejected(int field, object? value, string message)
    {
        object?[] site = Wire.Site();
        site[field] = value;
        object?[] snapshot = Wire.Snapshot();
        snapshot[3] = new object?[] { site };

        Assert.Equal(message, Reject(Wire.Encode(snapshot)).Message);
    }

    [Fact]
    public void Static_header_with_a_nil_value_is_rejected()
    {
        object?[] site = Wire.Site();
        site[7] = new object?[] { new object?[] { "X-Key", null } };
        object?[] snapshot = Wire.Snapshot();
        snapshot[3] = new object?[] { site };

        Assert.Equal("sites[0].staticHeaders[0].value: expected string, found nil", Reject(Wire.Encode(snapshot)).Message);
    }

    [Theory]
    [InlineData(4, 5, "plans[0].quotaPeriod: unknown value 5")]
    [InlineData(5, 2, "plans[0].quotaMode: unknown value 2")]
    [InlineData(5, -1, "plans[0].quotaMode: unknown value -1")]
    [InlineData(7, 3_000_000_000L, "plans[0].rateLimitWindowSeconds: integer out of range")]
    public void Plan_field_out_of_range_is_rejected(int field, object value, string message)
    {
        object?[] plan = Wire.Plan();
        plan[field] = value;
        object?[] snapshot = Wire.Snapshot();
        snapshot[4] = new object?[] { plan };

        Assert.Equal(message, Reject(Wire.Encode(snapshot)).Message);
    }

    [Fact]
    public void Integer_beyond_long_is_rejected()
    {
        object?[] snapshot = Wire.Snapshot();
        snapshot[1] = ulong.MaxValue;

        Assert.Equal("version: integer out of range", Reject(Wire.Encode(snapshot)).Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_rejected()
    {
        byte[] bytes = Wire.Encode(SnapshotWithTokens([Wire.Token()]));
        int at = bytes.AsSpan().IndexOf("c1"u8);
        bytes[at] = 0xff;

        Assert.Equal("tokens[0].customer: invalid UTF-8", Reject(bytes).Message);
    }

    [Fact]
    public void Root_that_is_not_an_array_is_rejected()
    {
        Assert.Equal("snapshot: expected array, found map", Reject(Wire.Encode(new Dictionary<string, int>())).Message);
        Assert.Equal("snapshot: expected array, found nil", Reject(Wire.Encode(null)).Message);
    }

    [Theory]
    [InlineData(0xdd, 0xff, 0xff, 0xff, 0xff)] // array32 of 4,294,967,295
    [InlineData(0xdd, 0x7f, 0xff, 0xff, 0xff)] // array32 of int.MaxValue
    [InlineData(0xdd, 0x00, 0x98, 0x96, 0x7f)] // array32 of 9,999,999: within the limit, beyond the input
    public void Huge_array_length_prefix_is_rejected_without_allocating_for_it(byte code, byte b1, byte b2, byte b3, byte b4)
    {
        byte[] prefix = Wire.Encode(Wire.Snapshot()[..6]);
        prefix[0] = 0x97;
        byte[] bytes = [.. prefix, code, b1, b2, b3, b4, 0x97];

        long before = GC.GetAllocatedBytesForCurrentThread();
        SnapshotFormatException e = Reject(bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.StartsWith(e.Message.StartsWith("tokens", StringComparison.Ordinal) ? "tokens: " : "snapshot is truncated", e.Message);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(0xdb)] // str32
    [InlineData(0xc6)] // bin32
    public void Huge_string_or_binary_length_prefix_is_rejected(byte code)
    {
        object?[] snapshot = Wire.Snapshot();
        snapshot[1] = "placeholder";
        byte[] bytes = Wire.Encode(snapshot);
        int at = bytes.AsSpan().IndexOf("placeholder"u8) - 1;

        foreach (uint length in new uint[] { 0xffff_ffff, 0x7fff_ffff, 70_000 })
        {
            byte[] forged = [.. bytes.AsSpan(0, at), code, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, .. "x"u8];
            Reject(forged);
        }
    }

    [Theory]
    [InlineData(0xdb, 0xff)] // str32 of 4,294,967,295 bytes
    [InlineData(0xc6, 0xff)] // bin32
    [InlineData(0xc9, 0xff)] // ext32
    [InlineData(0xdd, 0xff)] // array32 of 4,294,967,295 elements, which MessagePackReader.Skip reads as -1
    [InlineData(0xdf, 0xff)] // map32
    [InlineData(0xdd, 0x00)] // array32 of 16,777,215 elements
    public void Forged_length_inside_a_skipped_field_is_rejected(byte code, byte high)
    {
        byte[] bytes = Wire.Encode(Wire.Snapshot());
        bytes[0] = 0x99; // the seven required fields, an empty state hash, and one field more than this build knows

        byte[] forged = [.. bytes, 0xc4, 0x00, code, high, 0xff, 0xff, 0xff, 0x01, 0x41];

        SnapshotFormatException e = Reject(forged);

        Assert.Equal("snapshot is truncated", e.Message);
    }

    [Fact]
    public void Serializing_a_31_byte_token_hash_is_refused_naming_the_field()
    {
        Snapshot snapshot = SnapshotSamples.Defaults();
        var bad = new Snapshot
        {
            Version = 1,
            Tokens = [snapshot.Tokens[0], new TokenRecord { Id = "t", SiteId = "s", PlanId = "p", Customer = "c", Hash = new byte[31] }],
        };

        ArgumentException e = Assert.Throws<ArgumentException>(() => SnapshotSerializer.Serialize(bad));

        Assert.StartsWith("tokens[1].hash: expected a 32-byte SHA-256 hash", e.Message, StringComparison.Ordinal);
    }

    private static object?[] SnapshotWithTokens(object?[] tokens)
    {
        object?[] snapshot = Wire.Snapshot();
        snapshot[6] = tokens;
        return snapshot;
    }

    private static SnapshotFormatException Reject(ReadOnlyMemory<byte> bytes)
    {
        // Assert.Throws fails on any other exception type, which is the property under test.
        return Assert.Throws<SnapshotFormatException>(() => SnapshotSerializer.Deserialize(bytes));
    }
}
