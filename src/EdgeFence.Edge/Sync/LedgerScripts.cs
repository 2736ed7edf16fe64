namespace EdgeFence.Edge.Sync;

/// <summary>
/// The Lua run atomically inside Redis against one entitlement-period hash
/// (<see cref="LedgerKey"/>). Fields: <c>u:&lt;node&gt;</c> units a node admitted (cumulative, only ever
/// raised: a grow-only counter, so a retried or replayed push never double-counts), <c>r:&lt;node&gt;</c>
/// units a node gave back after admitting them (a refused prepaid call, a metered call settled below its
/// reservation; grow-only too), <c>l:&lt;node&gt;</c> units leased to a node (cumulative), <c>g</c> units
/// leased to all nodes. Global used is the sum of the <c>u:</c> fields minus the sum of the <c>r:</c> fields
/// (<see cref="Core.Ledger.LedgerFields"/>, which the control plane reads by too). Written by hand: the
/// ledger's atomic steps are EdgeFence's own logic.
/// </summary>
internal static class LedgerScripts
{
    /// <summary>Sums the hash: returns used (sum of u:* minus sum of r:*) and granted (g).</summary>
    private const string Sum = """
        local all = redis.call('HGETALL', KEYS[1])
        local used, granted = 0, 0
        for i = 1, #all, 2 do
          local k = all[i]
          local p = string.sub(k, 1, 2)
          if p == 'u:' then used = used + tonumber(all[i + 1])
          elseif p == 'r:' then used = used - tonumber(all[i + 1])
          elseif k == 'g' then granted = tonumber(all[i + 1]) end
        end
        """;

    /// <summary>
    /// ARGV: node, gross, refunded, expireAtMs. Raises u:node to gross and r:node to refunded (each only up);
    /// returns {global used, granted}.
    /// </summary>
    public const string Push = """
        local f = 'u:' .. ARGV[1]
        local v = tonumber(ARGV[2])
        if v > tonumber(redis.call('HGET', KEYS[1], f) or '0') then redis.call('HSET', KEYS[1], f, v) end
        local rf = 'r:' .. ARGV[1]
        local r = tonumber(ARGV[3])
        if r > tonumber(redis.call('HGET', KEYS[1], rf) or '0') then redis.call('HSET', KEYS[1], rf, r) end
        redis.call('PEXPIREAT', KEYS[1], ARGV[4])
        """ + "\n" + Sum + "\n" + """

        return {used, granted}
        """;

    /// <summary>
    /// ARGV: node, need, quota, edges, maxSlice, expireAtMs, held, unit. Grants this node a slice of what no
    /// node holds yet: about free/(2·edges) rounded up to a whole number of units (a request's cost, so a
    /// balance debited a price at a time is not left in slivers too small for any call on every edge), at
    /// least what the request needs, at most maxSlice and free. Free counts what was admitted beyond leases during an outage. <c>held</c> is the lease the
    /// node already holds by its own count: when Redis lost data (restart without persistence,
    /// failover), the node's lease is re-registered first, so the ledger never grants from units
    /// the node still holds and a new slice always adds to what it has. Returns {node's leased total, free after}.
    /// </summary>
    public const string Grant = Sum + "\n" + """

        local lf = 'l:' .. ARGV[1]
        local mine = tonumber(redis.call('HGET', KEYS[1], lf) or '0')
        local held = tonumber(ARGV[7])
        if held > mine then
          redis.call('HINCRBY', KEYS[1], 'g', held - mine)
          redis.call('HSET', KEYS[1], lf, held)
          granted = granted + held - mine
          mine = held
        end
        local free = tonumber(ARGV[3]) - math.max(granted, used)
        redis.call('PEXPIREAT', KEYS[1], ARGV[6])
        if free <= 0 then return {mine, 0} end
        local need = tonumber(ARGV[2])
        local slice = math.min(math.ceil(free / (2 * tonumber(ARGV[4]))), tonumber(ARGV[5]))
        local unit = tonumber(ARGV[8] or '1')
        if unit > 1 then slice = math.ceil(slice / unit) * unit end
        if slice < need then slice = need end
        if slice > free then slice = free end
        redis.call('HINCRBY', KEYS[1], 'g', slice)
        mine = redis.call('HINCRBY', KEYS[1], lf, slice)
        return {mine, free - slice}
        """;

    /// <summary>
    /// KEYS: current and previous rate-window hashes (one field per node). ARGV: node, current count,
    /// previous count, expireAtMs. Raises this node's fields; returns the other nodes' sums {current, previous}.
    /// </summary>
    public const string PushRate = """
        local others = {0, 0}
        for k = 1, 2 do
          local v = tonumber(ARGV[k + 1])
          if v > tonumber(redis.call('HGET', KEYS[k], ARGV[1]) or '0') then redis.call('HSET', KEYS[k], ARGV[1], v) end
          redis.call('PEXPIREAT', KEYS[k], ARGV[4])
          local all = redis.call('HGETALL', KEYS[k])
          for i = 1, #all, 2 do
            if all[i] ~= ARGV[1] then others[k] = others[k] + tonumber(all[i + 1]) end
          end
        end
        return others
        """;
}
