namespace EdgeFence.ControlPlane.Webhooks;

/// <summary>
/// When a site's requests in one minute are "far above its trailing baseline" (<c>traffic.spike</c>): at least
/// <see cref="MinRequests"/> requests and more than <see cref="Factor"/> times the mean per minute of the
/// <see cref="BaselineMinutes"/> minutes before it, minutes without traffic counting as zero.
/// </summary>
/// <remarks>
/// The minimum keeps a quiet site from alerting on noise (3 requests against a baseline of 0.1 is 30 times, and
/// nothing anyone should be woken for). The baseline moves with the traffic, so a new steady level stops alerting
/// after it has become most of the trailing hour.
/// </remarks>
internal sealed record TrafficSpikeRule(double Factor, long MinRequests)
{
    public const int BaselineMinutes = 60;

    /// <summary>The baseline (mean requests per minute) when <paramref name="requests"/> is a spike over it, else null.</summary>
    /// <param name="perMinute">Requests per minute, oldest first: <see cref="BaselineMinutes"/> minutes, then the one judged.</param>
    public double? Judge(IReadOnlyList<long> perMinute)
    {
        if (perMinute.Count != BaselineMinutes + 1)
        {
            throw new ArgumentException($"expected {BaselineMinutes + 1} minutes, got {perMinute.Count}", nameof(perMinute));
        }

        var requests = perMinute[BaselineMinutes];
        var baseline = 0L;
        for (var i = 0; i < BaselineMinutes; i++)
        {
            baseline += perMinute[i];
        }

        var mean = baseline / (double)BaselineMinutes;
        return requests >= MinRequests && requests > Factor * mean ? mean : null;
    }
}
