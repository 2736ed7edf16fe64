namespace EdgeFence.ControlPlane.Dashboard;

/// <summary>
/// Counts decisions over a range: requests and denials per bucket, per customer, and the money charged by currency
/// before and after a split time, fed from the edges' per-minute rollups (one <see cref="Add"/> per row).
/// </summary>
internal sealed class TrafficTally
{
    private readonly long _bucketMs;
    private readonly long[] _requests;
    private readonly long[] _denied;
    private readonly Dictionary<(string Site, string Customer), long[]> _customers = [];
    private readonly SortedDictionary<string, long> _before = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _after = new(StringComparer.Ordinal);

    public TrafficTally(long fromMs, long toMs, TimeSpan? bucket)
    {
        FromMs = fromMs;
        ToMs = toMs;
        _bucketMs = bucket is { } b ? (long)b.TotalMilliseconds : Math.Max(1, toMs - fromMs);
        var buckets = (int)((toMs - fromMs + _bucketMs - 1) / _bucketMs);
        _requests = new long[buckets];
        _denied = new long[buckets];
    }

    public long FromMs { get; }
    public long ToMs { get; }

    /// <summary>Entries before this time count as "before" money; from it, "after". Default: all after.</summary>
    public long SplitAtMs { get; init; } = long.MinValue;

    /// <summary>Only this customer's entries, when set.</summary>
    public string? Customer { get; init; }

    /// <summary>Why the tally may be incomplete, or null.</summary>
    public string? Note { get; set; }

    /// <summary><paramref name="requests"/> decisions at <paramref name="at"/> (one rollup row: a minute's cell), with their units and money.</summary>
    public void Add(string siteId, long at, string decision, string customer, long requests, long units, long charged, string currency)
    {
        if (Customer is not null && customer != Customer)
        {
            return;
        }

        var bucket = (int)Math.Clamp((at - FromMs) / _bucketMs, 0, _requests.Length - 1);
        var denied = decision == "deny";
        _requests[bucket] += requests;
        if (denied)
        {
            _denied[bucket] += requests;
        }

        if (customer.Length > 0)
        {
            if (!_customers.TryGetValue((siteId, customer), out var counts))
            {
                counts = new long[3];
                _customers[(siteId, customer)] = counts;
            }

            counts[0] += requests;
            counts[1] += decision == "allow" ? units : 0;
            counts[2] += denied ? requests : 0;
        }

        if (charged > 0 && currency.Length > 0)
        {
            var money = at < SplitAtMs ? _before : _after;
            money[currency] = money.GetValueOrDefault(currency) + charged;
        }
    }

    public IReadOnlyList<TrafficPoint> Series() => [.. _requests.Select((r, i) => new TrafficPoint(FromMs + (i * _bucketMs), r, _denied[i]))];

    public IReadOnlyList<CustomerTraffic> TopCustomers(int count) =>
    [
        .. _customers.OrderByDescending(p => p.Value[1]).ThenByDescending(p => p.Value[0]).ThenBy(p => p.Key.Customer, StringComparer.Ordinal).Take(count)
            .Select(p => new CustomerTraffic(p.Key.Site, p.Key.Customer, p.Value[0], p.Value[1], p.Value[2])),
    ];

    public IReadOnlyList<Money> ChargedBeforeSplit() => [.. _before.Select(p => new Money(p.Key, p.Value))];

    public IReadOnlyList<Money> ChargedAfterSplit() => [.. _after.Select(p => new Money(p.Key, p.Value))];
}
