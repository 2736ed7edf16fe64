using System.Collections.Concurrent;

namespace EdgeFence.Edge.Payments.X402;

/// <summary>
/// Makes one payment reach the origin once. The reference resource server has no such guard: two
/// requests carrying one payment both passed verify and both reached the handler (X402-NOTES.md). Here
/// a payment is claimed atomically before the facilitator is asked, and kept until its
/// <c>validBefore</c> (after which the chain refuses it anyway), so a concurrent or later copy is refused.
/// </summary>
internal sealed class PaymentReplayGuard
{
    /// <summary>
    /// Live payments held at most. Threat: memory exhaustion by a flood of payments (each entry is about
    /// 100 bytes with the dictionary's node; 200,000 is about 20 MB). Entries live at most
    /// maxTimeoutSeconds + <see cref="PaymentHeaderReader.ValiditySlackSeconds"/>, so this is also
    /// the paid-call rate one edge can sustain: 200,000 / (60 + 300) s ≈ 550 calls/s at a 60 s timeout.
    /// </summary>
    public const int DefaultCapacity = 200_000;

    private readonly ConcurrentDictionary<PaymentKey, long> _live = new();
    private readonly int _capacity;
    private long _nextSweepUnix;

    public PaymentReplayGuard(int capacity = DefaultCapacity)
    {
        _capacity = capacity;
    }

    public int Count => _live.Count;

    /// <summary>Claims <paramref name="key"/> until <paramref name="validBeforeUnix"/>.</summary>
    public ReplayClaim TryClaim(PaymentKey key, long validBeforeUnix, long nowUnix)
    {
        if (nowUnix >= Volatile.Read(ref _nextSweepUnix))
        {
            Sweep(nowUnix);
        }

        if (_live.TryGetValue(key, out var until) && until > nowUnix)
        {
            return ReplayClaim.AlreadyUsed;
        }

        if (_live.Count >= _capacity)
        {
            return ReplayClaim.Full;
        }

        // An expired entry for this key may still be there: replace it only if it is the one we read.
        if (until != 0)
        {
            return _live.TryUpdate(key, validBeforeUnix, until) ? ReplayClaim.Claimed : ReplayClaim.AlreadyUsed;
        }

        return _live.TryAdd(key, validBeforeUnix) ? ReplayClaim.Claimed : ReplayClaim.AlreadyUsed;
    }

    /// <summary>
    /// Gives a claim back when the payment provably did not move money (the facilitator said invalid,
    /// or was never reached), so the payer may retry it. Never after a settle was attempted.
    /// </summary>
    public void Release(PaymentKey key) => _live.TryRemove(key, out _);

    private void Sweep(long nowUnix)
    {
        // At most one sweep a second, whoever gets here first; the others go on. Even when full: a scan
        // per claim would let a flood of claims cost a full scan each.
        var next = Volatile.Read(ref _nextSweepUnix);
        if (nowUnix < next || Interlocked.CompareExchange(ref _nextSweepUnix, nowUnix + 1, next) != next)
        {
            return;
        }

        foreach (var (key, until) in _live)
        {
            if (until <= nowUnix)
            {
                _live.TryRemove(new KeyValuePair<PaymentKey, long>(key, until));
            }
        }
    }
}
