using System.Runtime.InteropServices;
using EdgeFence.Edge.DecisionLog;

namespace EdgeFence.Edge.Analytics;

/// <summary>
/// Adds every decision to a per-minute rollup in memory, on the request path: one dictionary lookup and three
/// additions under a lock, no allocation once a key exists. <see cref="RollupShipper"/> takes the whole table
/// every flush interval, so the cost of shipping is proportional to the keys active in an interval, not to the
/// requests. Fed beside the decision log, not from it: a full log queue drops lines, never rollup counts.
/// What is lost on a crash (SIGKILL) is the table since the last flush, at most one flush interval: a graceful
/// stop spools it, and the per-request NDJSON log keeps every decision for audit either way.
/// </summary>
internal sealed class RollupAggregator
{
    /// <summary>
    /// Most distinct keys held between two flushes. Keys come from snapshot ids, so they are bounded by the
    /// config, but a snapshot with millions of tokens all active in one interval must not grow this table
    /// without limit (memory exhaustion of the edge): past the cap, new keys are counted under the same key
    /// with the token and customer left empty, so every total stays exact and only per-token detail is lost.
    /// </summary>
    public const int DefaultMaxKeys = 200_000;

    private readonly object _gate = new();
    private readonly int _maxKeys;
    private Dictionary<RollupKey, RollupCounts> _current = [];
    private Dictionary<RollupKey, RollupCounts> _spare = [];

    public RollupAggregator(int maxKeys = DefaultMaxKeys) => _maxKeys = maxKeys;

    /// <summary>Keys folded into their token-less key because the table was full (a counter for tests and metrics).</summary>
    public long Folded { get; private set; }

    public void Add(in DecisionRecord r)
    {
        var key = new RollupKey(
            r.TimeUnixMs - (r.TimeUnixMs % 60_000),
            r.Site,
            r.Plan ?? "",
            r.Resource ?? "",
            r.TokenId ?? "",
            r.Customer ?? "",
            r.Decision,
            r.Reason,
            r.ChargedMicros > 0 ? r.ChargedCurrency ?? "" : "");
        lock (_gate)
        {
            if (_current.Count >= _maxKeys && !_current.ContainsKey(key))
            {
                key = key with { Token = "", Customer = "" };
                Folded++;
            }

            ref var counts = ref CollectionsMarshal.GetValueRefOrAddDefault(_current, key, out _);
            counts.Requests++;
            counts.Units += r.Units;
            counts.ChargedMicros += r.ChargedMicros;
        }
    }

    /// <summary>
    /// Takes everything added so far and hands it to <paramref name="take"/>, outside the lock, then keeps the
    /// emptied table for the next swap (no reallocation in the steady state). Called from one task only.
    /// </summary>
    public void Drain(Action<IReadOnlyDictionary<RollupKey, RollupCounts>> take)
    {
        Dictionary<RollupKey, RollupCounts> full;
        lock (_gate)
        {
            full = _current;
            _current = _spare;
        }

        try
        {
            if (full.Count > 0)
            {
                take(full);
            }
        }
        finally
        {
            full.Clear();
            _spare = full;
        }
    }
}
