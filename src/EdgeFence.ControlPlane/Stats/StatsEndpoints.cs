using System.Globalization;
using EdgeFence.ControlPlane.Json;
using EdgeFence.ControlPlane.Problems;
using EdgeFence.ControlPlane.Sites;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Usage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StackExchange.Redis;

namespace EdgeFence.ControlPlane.Stats;

/// <summary>
/// <c>GET /v1/sites/{id}/stats[?from=&amp;to=]</c>: counts a site's decisions. By default from the edges' per-minute
/// rollups (<see cref="UsageRollups"/>; a minute counts when it starts in the range). With
/// <c>ControlPlane:StatsSource=stream</c>, from the stream the edges write with <c>EdgeFence:DecisionLogRedisStream</c>,
/// <c>ef:{&lt;site id&gt;}:decisions</c> (<c>EdgeFence.Edge.DecisionLog.RedisStreamDecisionSink</c>): the range is then by
/// stream entry id, the Redis time an edge's batch landed (a decision's own <c>time</c> is at most the edge's batching
/// delay earlier); without <c>ControlPlane:Redis</c> it answers 404 <c>stats-unavailable</c>, Redis failing 503.
/// </summary>
/// <remarks>
/// Every request reads Redis and holds per-token counts in memory, so an admin caller (or a leaked admin key)
/// could otherwise tie up Redis and this process with one huge range: the range is at most
/// <see cref="MaxRange"/>, read in pages of <see cref="PageSize"/>, and no answer reads more than
/// <see cref="MaxEntries"/> entries (it says <c>"truncated": true</c> instead). The edges trim each stream to about
/// a million entries, so the cap is rarely reached.
/// </remarks>
internal sealed class StatsEndpoints
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    /// <summary>Clock skew tolerated on <c>to</c>: a client's "now" slightly ahead of ours is taken as ours.</summary>
    public static readonly TimeSpan FutureSkew = TimeSpan.FromMinutes(1);

    public const int PageSize = 10_000;
    public const long MaxEntries = 1_000_000;
    public const int TopTokenCount = 10;

    private readonly Database _database;
    private readonly IConnectionMultiplexer? _redis;
    private readonly UsageRollups? _rollups;
    private readonly TimeProvider _time;

    /// <param name="rollups">Where stats come from; null: from the Redis streams through <paramref name="redis"/>.</param>
    public StatsEndpoints(Database database, IConnectionMultiplexer? redis, UsageRollups? rollups, TimeProvider time)
    {
        _database = database;
        _redis = redis;
        _rollups = rollups;
        _time = time;
    }

    public void Map(IEndpointRouteBuilder app) => app.MapGet("/v1/sites/{id}/stats", GetAsync);

    private async Task GetAsync(HttpContext context)
    {
        var id = RouteValues.Id(context);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var from = ParseTime(context, "from");
        var to = ParseTime(context, "to");
        if (to is { } t && t > now + (long)FutureSkew.TotalMilliseconds)
        {
            throw ApiProblemException.Invalid("to", "is in the future");
        }

        var toMs = Math.Min(to ?? now, now);
        var fromMs = from ?? toMs - (long)DefaultRange.TotalMilliseconds;
        if (fromMs >= toMs)
        {
            throw ApiProblemException.Invalid("from", "must be before to");
        }

        if (toMs - fromMs > (long)MaxRange.TotalMilliseconds)
        {
            throw ApiProblemException.Invalid("from", "the range from..to is at most 31 days");
        }

        using (var connection = _database.Open())
        {
            if (!SiteRows.Exists(connection, null, id))
            {
                throw ApiProblemException.NotFound("site", id);
            }
        }

        if (_rollups is not null)
        {
            await JsonResponse.WriteAsync(context, 200, FromRollups(_rollups, id, fromMs, toMs), ControlPlaneJsonContext.Api.SiteStatsResponse).ConfigureAwait(false);
            return;
        }

        if (_redis is null)
        {
            throw new ApiProblemException(404, "stats-unavailable", "Stats are not available",
                "stats are read from the edges' decision streams in Redis, and ControlPlane:Redis is not set; each edge's decisions are in its decision log files");
        }

        var stats = new Counts();
        try
        {
            await ReadAsync(_redis.GetDatabase(), "ef:{" + id + "}:decisions", fromMs, toMs, stats, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new ApiProblemException(503, "stats-unavailable", "Stats are not available",
                $"the decision stream in Redis (ControlPlane:Redis) could not be read: {ex.Message}");
        }

        var body = new SiteStatsResponse
        {
            SiteId = id,
            From = DateTimeOffset.FromUnixTimeMilliseconds(fromMs),
            To = DateTimeOffset.FromUnixTimeMilliseconds(toMs),
            Requests = stats.Requests,
            Allowed = stats.Allowed,
            Denied = stats.Denied,
            Passthrough = stats.Passthrough,
            DeniedByReason = stats.DeniedByReason,
            Units = stats.Units,
            TopTokens =
            [
                .. stats.Tokens
                    .OrderByDescending(p => p.Value.Units).ThenByDescending(p => p.Value.Requests).ThenBy(p => p.Key, StringComparer.Ordinal)
                    .Take(TopTokenCount)
                    .Select(p => new TokenStats { TokenId = p.Key, Customer = p.Value.Customer, Requests = p.Value.Requests, Units = p.Value.Units }),
            ],
            Truncated = stats.Truncated,
        };
        await JsonResponse.WriteAsync(context, 200, body, ControlPlaneJsonContext.Api.SiteStatsResponse).ConfigureAwait(false);
    }

    /// <summary>The same answer from the rollups: totals, denials by reason, and the top tokens of the range.</summary>
    private static SiteStatsResponse FromRollups(UsageRollups rollups, string siteId, long fromMs, long toMs)
    {
        var totals = rollups.Totals(siteId, fromMs, toMs);
        return new SiteStatsResponse
        {
            SiteId = siteId,
            From = DateTimeOffset.FromUnixTimeMilliseconds(fromMs),
            To = DateTimeOffset.FromUnixTimeMilliseconds(toMs),
            Requests = totals.Requests,
            Allowed = totals.Allowed,
            Denied = totals.Denied,
            Passthrough = totals.Passthrough,
            DeniedByReason = totals.DeniedByReason,
            Units = totals.Units,
            TopTokens = [.. rollups.TopTokens(siteId, fromMs, toMs, TopTokenCount).Select(t => new TokenStats { TokenId = t.TokenId, Customer = t.Customer, Requests = t.Requests, Units = t.Units })],
            Truncated = false,
        };
    }

    /// <summary><c>XRANGE key from to-1 COUNT 10000</c>, then from just past the last id, until the range or <see cref="MaxEntries"/> is done.</summary>
    private static async Task ReadAsync(IDatabase redis, string key, long fromMs, long toMs, Counts stats, CancellationToken cancellationToken)
    {
        RedisValue min = fromMs.ToString(CultureInfo.InvariantCulture);
        RedisValue max = (toMs - 1).ToString(CultureInfo.InvariantCulture);
        long read = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = (int)Math.Min(PageSize, MaxEntries - read);
            var page = await redis.StreamRangeAsync(key, min, max, count).ConfigureAwait(false);
            foreach (var entry in page)
            {
                stats.Add(entry);
            }

            read += page.Length;
            if (page.Length < count)
            {
                return;
            }

            if (read >= MaxEntries)
            {
                // Anything left past the cap? One more entry says.
                stats.Truncated = (await redis.StreamRangeAsync(key, "(" + page[^1].Id, max, 1).ConfigureAwait(false)).Length > 0;
                return;
            }

            // Exclusive start (Redis 6.2+): the page after the last id read.
            min = "(" + page[^1].Id;
        }
    }

    /// <summary>Unix ms or ISO-8601 (UTC unless it says otherwise); null when absent.</summary>
    private static long? ParseTime(HttpContext context, string field)
    {
        var text = context.Request.Query[field].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (text.All(char.IsAsciiDigit))
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                return ms;
            }
        }
        else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        throw ApiProblemException.Invalid(field, $"'{text}' is not an ISO-8601 time or unix milliseconds");
    }

    private sealed class Counts
    {
        public long Requests;
        public long Allowed;
        public long Denied;
        public long Passthrough;
        public long Units;
        public bool Truncated;
        public Dictionary<string, long> DeniedByReason { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, TokenCount> Tokens { get; } = new(StringComparer.Ordinal);

        public void Add(StreamEntry entry)
        {
            string decision = "", reason = "", tokenId = "", customer = "";
            long units = 0;
            foreach (var field in entry.Values)
            {
                switch (field.Name.ToString())
                {
                    case "decision": decision = field.Value.ToString(); break;
                    case "reason": reason = field.Value.ToString(); break;
                    case "tokenId": tokenId = field.Value.ToString(); break;
                    case "customer": customer = field.Value.ToString(); break;
                    case "units": _ = field.Value.TryParse(out units); break;
                }
            }

            Requests++;
            var allowed = false;
            switch (decision)
            {
                case "allow":
                    Allowed++;
                    allowed = true;
                    Units += units;
                    break;
                case "deny":
                    Denied++;
                    DeniedByReason[reason] = DeniedByReason.GetValueOrDefault(reason) + 1;
                    break;
                default:
                    Passthrough++;
                    break;
            }

            if (tokenId.Length > 0)
            {
                if (!Tokens.TryGetValue(tokenId, out var token))
                {
                    token = new TokenCount { Customer = customer };
                    Tokens[tokenId] = token;
                }

                token.Requests++;
                if (allowed)
                {
                    token.Units += units;
                }
            }
        }
    }

    private sealed class TokenCount
    {
        public required string Customer { get; init; }
        public long Requests { get; set; }
        public long Units { get; set; }
    }
}
