using System.Globalization;
using EdgeFence.Edge.Sync;
using StackExchange.Redis;

namespace EdgeFence.Edge.DecisionLog;

/// <summary>
/// Appends decisions to one Redis Stream per site, <c>ef:{&lt;site&gt;}:decisions</c>, trimmed to about
/// <see cref="MaxLength"/> entries (<c>XADD … MAXLEN ~</c>, so a site's log cannot grow Redis without
/// bound). A batch Redis does not take goes to the fallback sink (the NDJSON files), so no record is
/// lost while Redis is down.
/// </summary>
internal sealed class RedisStreamDecisionSink : IDecisionSink
{
    private readonly RedisLedger _redis;
    private readonly IDecisionSink _fallback;
    private readonly string _node;

    public RedisStreamDecisionSink(RedisLedger redis, IDecisionSink fallback, string node, long maxLength = 1_000_000)
    {
        _redis = redis;
        _fallback = fallback;
        _node = node;
        MaxLength = maxLength;
    }

    public long MaxLength { get; }

    public static string KeyFor(string site) => "ef:{" + site + "}:decisions";

    public async ValueTask WriteAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        try
        {
            // All the XADDs go out together; the client pipelines them on one connection.
            var adds = new Task[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                adds[i] = _redis.StreamAddAsync(KeyFor(batch[i].Site), Fields(batch[i]), MaxLength);
            }

            await Task.WhenAll(adds).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Some entries may have landed before the failure: writing the whole batch to the files
            // can duplicate a few records across the two places, never lose one.
            await _fallback.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private NameValueEntry[] Fields(in DecisionRecord r)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            new("time", r.TimeUnixMs),
            new("node", _node),
            new("requestId", r.RequestId),
            new("tokenId", r.TokenId ?? ""),
            new("customer", r.Customer ?? ""),
            new("plan", r.Plan ?? ""),
            new("resource", r.Resource ?? ""),
            new("method", r.Method),
            new("status", r.Status),
            new("decision", r.Decision),
            new("reason", r.Reason),
            new("units", r.Units),
            new("remaining", r.Remaining),
            new("snapshotVersion", r.SnapshotVersion),
            new("originStatus", r.OriginStatus),
            new("originLatencyMs", r.OriginLatencyMs.ToString("0.###", inv)),
            new("chargedMicros", r.ChargedMicros),
            new("currency", r.ChargedCurrency ?? ""),
        ];
    }

    public ValueTask DisposeAsync() => _fallback.DisposeAsync();
}
