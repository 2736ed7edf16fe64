using System.Net;
using System.Threading.RateLimiting;

namespace EdgeFence.ControlPlane.Dashboard;

/// <summary>
/// Limits login attempts. Threat: online guessing of the admin key through the login form (the API's bearer check
/// is not slowed, but the key's length puts it out of reach there; a form invites scripted guessing, so it is
/// limited anyway): <see cref="PerClient"/> attempts per minute per client address, and <see cref="Overall"/> per
/// minute in all, so that guessing from many addresses is bounded too.
/// </summary>
internal sealed class LoginThrottle : IDisposable
{
    public const int PerClient = 10;
    public const int Overall = 100;

    private readonly PartitionedRateLimiter<IPAddress> _limiter;

    public LoginThrottle()
    {
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => Window(PerClient))),
            PartitionedRateLimiter.Create<IPAddress, string>(_ => RateLimitPartition.GetFixedWindowLimiter("all", _ => Window(Overall))));
    }

    /// <summary>True when one more attempt from <paramref name="client"/> may be checked now.</summary>
    public bool TryAcquire(IPAddress? client)
    {
        using var lease = _limiter.AttemptAcquire(client ?? IPAddress.None);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();

    private static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
