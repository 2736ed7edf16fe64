namespace EdgeFence.Edge.Revocations;

/// <summary>
/// When the edge last heard from the control plane, directly (a snapshot or wallet book applied) or through the
/// channel (any signed entry, dated by the control plane), and whether that is longer ago than
/// <c>EdgeFence:MaxConfigAgeSeconds</c>. A stale edge applies <c>EdgeFence:StaleConfigPolicy</c> to enforced resources.
/// </summary>
internal sealed class ConfigFreshness
{
    private readonly TimeProvider _time;
    private readonly long _maxAgeMs;
    private long _lastHeardMs;

    public ConfigFreshness(TimeProvider time, int maxAgeSeconds, bool refuseWhenStale)
    {
        _time = time;
        _maxAgeMs = maxAgeSeconds * 1000L;
        MaxAgeSeconds = maxAgeSeconds;
        RefuseWhenStale = refuseWhenStale;
    }

    public int MaxAgeSeconds { get; }
    public bool RefuseWhenStale { get; }
    public bool Enabled => _maxAgeMs > 0;
    public long LastHeardMs => Interlocked.Read(ref _lastHeardMs);

    /// <summary>Heard now (a push or pull applied).</summary>
    public void Heard() => HeardAt(_time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>
    /// Heard something the control plane dated <paramref name="unixMs"/>; never later than now, so a clock ahead on the
    /// control plane cannot make the edge fresh for longer, and an old entry replayed cannot make it fresher.
    /// </summary>
    public void HeardAt(long unixMs)
    {
        var at = Math.Min(unixMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        long seen;
        while ((seen = Interlocked.Read(ref _lastHeardMs)) < at && Interlocked.CompareExchange(ref _lastHeardMs, at, seen) != seen)
        {
        }
    }

    /// <summary>True when the age limit is on and nothing was heard within it.</summary>
    public bool IsStale() => _maxAgeMs > 0 && _time.GetUtcNow().ToUnixTimeMilliseconds() - Interlocked.Read(ref _lastHeardMs) > _maxAgeMs;

    /// <summary>Seconds since the last word (for /readyz and metrics); -1 before any.</summary>
    public double AgeSeconds()
    {
        var last = Interlocked.Read(ref _lastHeardMs);
        return last == 0 ? -1 : (_time.GetUtcNow().ToUnixTimeMilliseconds() - last) / 1000.0;
    }
}
