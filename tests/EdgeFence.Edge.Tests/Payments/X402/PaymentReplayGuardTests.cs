using EdgeFence.Edge.Payments.X402;

namespace EdgeFence.Edge.Tests.Payments.X402;

public sealed class PaymentReplayGuardTests
{
    private static PaymentKey Key(string nonce) => PaymentKey.For("eip155:1", PaymentFixture.Asset, PaymentFixture.From, nonce);

    [Fact]
    public void A_payment_is_claimed_once_until_its_valid_before()
    {
        var guard = new PaymentReplayGuard();
        var key = Key("0x01");

        Assert.Equal(ReplayClaim.Claimed, guard.TryClaim(key, validBeforeUnix: 1_000, nowUnix: 900));
        Assert.Equal(ReplayClaim.AlreadyUsed, guard.TryClaim(key, 1_000, 950));
        Assert.Equal(ReplayClaim.AlreadyUsed, guard.TryClaim(key, 1_000, 999));
        Assert.Equal(ReplayClaim.Claimed, guard.TryClaim(key, 2_000, 1_000));
    }

    [Fact]
    public void The_key_ignores_address_case_but_not_the_network_or_nonce()
    {
        Assert.Equal(Key("0xAB"), PaymentKey.For("eip155:1", PaymentFixture.Asset.ToUpperInvariant(), PaymentFixture.From.ToLowerInvariant(), "0xab"));
        Assert.NotEqual(Key("0xab"), Key("0xac"));
        Assert.NotEqual(Key("0xab"), PaymentKey.For("eip155:2", PaymentFixture.Asset, PaymentFixture.From, "0xab"));
    }

    [Fact]
    public void Of_many_concurrent_claims_of_one_payment_exactly_one_wins()
    {
        var guard = new PaymentReplayGuard();
        var key = Key("0x02");
        var wins = 0;
        Parallel.For(0, 64, _ =>
        {
            if (guard.TryClaim(key, 1_000, 900) == ReplayClaim.Claimed)
            {
                Interlocked.Increment(ref wins);
            }
        });

        Assert.Equal(1, wins);
    }

    [Fact]
    public void A_released_claim_can_be_claimed_again()
    {
        var guard = new PaymentReplayGuard();
        var key = Key("0x03");
        guard.TryClaim(key, 1_000, 900);
        guard.Release(key);

        Assert.Equal(ReplayClaim.Claimed, guard.TryClaim(key, 1_000, 901));
    }

    [Fact]
    public void A_full_guard_refuses_new_payments_until_old_ones_expire()
    {
        var guard = new PaymentReplayGuard(capacity: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ReplayClaim.Claimed, guard.TryClaim(Key($"0x1{i}"), 1_000, 900));
        }

        Assert.Equal(ReplayClaim.Full, guard.TryClaim(Key("0x20"), 1_000, 900));
        Assert.Equal(ReplayClaim.Claimed, guard.TryClaim(Key("0x20"), 2_000, 1_000));
        Assert.Equal(1, guard.Count);
    }
}
