using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeFence.ControlPlane.Dashboard;
using EdgeFence.ControlPlane.Storage;
using EdgeFence.ControlPlane.Usage;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Webhooks;

/// <summary>
/// Raises alerts from what the control plane knows (through <see cref="DashboardData"/>) and delivers them.
/// Every <c>ControlPlane:AlertIntervalSeconds</c>: <c>edge.behind</c> (an edge failing to take the latest snapshot),
/// <c>balance.low</c> (a balance under <c>ControlPlane:LowBalanceMicros</c>, once per credited total: a deposit re-arms
/// it), <c>quota.threshold</c> (80% and 100% of a period, once per period per token), <c>traffic.spike</c> (a minute far
/// above the site's trailing hour, <see cref="TrafficSpikeRule"/>; once per site and hour). Each event has an id, is kept
/// with a delivery per subscription, and deliveries are signed (<see cref="WebhookSignature"/>) and retried with
/// exponential backoff (from <c>ControlPlane:WebhookRetrySeconds</c>, at most an hour apart) for a day, then marked failed.
/// </summary>
internal sealed class AlertMonitor : IAsyncDisposable
{
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    /// <summary>Per delivery attempt: a receiver that hangs must not hold the loop (nor pile up connections).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries tried per pass: bounds one pass's work whatever the backlog.</summary>
    public const int BatchSize = 50;

    private readonly Database _database;
    private readonly DashboardData _data;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _retry;
    private readonly long _lowBalanceMicros;
    private readonly TrafficSpikeRule _spike;
    private readonly UsageRollups _rollups;
    private readonly ILogger _logger;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = AttemptTimeout };
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public AlertMonitor(Database database, DashboardData data, TimeProvider time, TimeSpan interval, TimeSpan retry, long lowBalanceMicros, TrafficSpikeRule spike, ILogger logger)
    {
        _spike = spike;
        _rollups = new UsageRollups(database);
        _database = database;
        _data = data;
        _time = time;
        _interval = interval;
        _retry = retry;
        _lowBalanceMicros = lowBalanceMicros;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RaiseAsync(cancellationToken).ConfigureAwait(false);
                await DeliverAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A pass that fails (Redis down, a locked database) is retried at the next tick; nothing is lost.
                _logger.LogWarning(ex, "Alert pass failed; retrying in {Interval}", _interval);
            }

            try
            {
                await Task.Delay(_interval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RaiseAsync(CancellationToken cancellationToken)
    {
        List<WebhookRows.Subscription> webhooks;
        using (var connection = _database.Open())
        {
            webhooks = WebhookRows.All(connection);
        }

        if (webhooks.Count == 0)
        {
            return;
        }

        bool Wants(WebhookRows.Subscription w, string type) => w.Events.Contains(type);

        // :: edge.behind: to every site's subscribers, once per edge and latest version.
        if (webhooks.Any(w => Wants(w, "edge.behind")))
        {
            var edges = _data.Edges();
            foreach (var edge in edges.Edges.Where(e => e.SnapshotApplied != edges.LatestSnapshot && e.ConsecutiveFailures > 0))
            {
                foreach (var site in webhooks.Where(w => Wants(w, "edge.behind")).GroupBy(w => w.SiteId))
                {
                    Raise(site.Key, "edge.behind", $"edge.behind:{edge.Url}:{edges.LatestSnapshot}", site.Select(w => w.Id), w =>
                    {
                        w.WriteString("edge", edge.Url);
                        w.WriteNumber("latestVersion", edges.LatestSnapshot);
                        if (edge.SnapshotApplied is { } applied) { w.WriteNumber("appliedVersion", applied); } else { w.WriteNull("appliedVersion"); }
                        w.WriteString("lastResult", edge.LastResult);
                        w.WriteNumber("consecutiveFailures", edge.ConsecutiveFailures);
                    });
                }
            }
        }

        // :: balance.low: once per balance and credited total.
        if (webhooks.Any(w => Wants(w, "balance.low")) && _data.UsageKnown)
        {
            foreach (var (siteId, customer, balance) in await _data.AllBalancesAsync().ConfigureAwait(false))
            {
                var subscribers = webhooks.Where(w => w.SiteId == siteId && Wants(w, "balance.low")).Select(w => w.Id).ToList();
                if (subscribers.Count > 0 && balance.BalanceMicros is { } left && left < _lowBalanceMicros)
                {
                    Raise(siteId, "balance.low", $"balance.low:{siteId}:{customer}:{balance.Currency}:{balance.CreditedMicros}", subscribers, w =>
                    {
                        w.WriteString("customer", customer);
                        w.WriteString("currency", balance.Currency);
                        w.WriteNumber("balanceMicros", left);
                        w.WriteNumber("thresholdMicros", _lowBalanceMicros);
                    });
                }
            }
        }

        // :: traffic.spike: from the edges' per-minute rollups (SQLite, so no Redis needed). The last two complete
        //    minutes are judged, each against the hour before it: an edge ships a minute up to one flush late, so the
        //    minute before last may only now be whole. Once per site and hour of the spiking minute.
        if (webhooks.Any(w => Wants(w, "traffic.spike")))
        {
            const long Minute = 60_000;
            var lastComplete = (_time.GetUtcNow().ToUnixTimeMilliseconds() / Minute * Minute) - Minute;
            var from = lastComplete - ((TrafficSpikeRule.BaselineMinutes + 1) * Minute);
            foreach (var site in webhooks.Where(w => Wants(w, "traffic.spike")).GroupBy(w => w.SiteId))
            {
                var perMinute = _rollups.Series(site.Key, from, lastComplete + Minute, Minute).Points.Select(p => p.Requests).ToArray();
                for (var judged = TrafficSpikeRule.BaselineMinutes; judged < perMinute.Length; judged++)
                {
                    if (_spike.Judge(perMinute[(judged - TrafficSpikeRule.BaselineMinutes)..(judged + 1)]) is not { } baseline)
                    {
                        continue;
                    }

                    var minute = from + (judged * Minute);
                    var requests = perMinute[judged];
                    Raise(site.Key, "traffic.spike", $"traffic.spike:{site.Key}:{minute / (60 * Minute)}", site.Select(w => w.Id), w =>
                    {
                        w.WriteString("minute", DateTimeOffset.FromUnixTimeMilliseconds(minute));
                        w.WriteNumber("requests", requests);
                        w.WriteNumber("baselinePerMinute", Math.Round(baseline, 2));
                        w.WriteNumber("factor", _spike.Factor);
                        w.WriteNumber("minRequests", _spike.MinRequests);
                    });
                }
            }
        }

        // :: quota.threshold: 80% and 100%, once per period per token.
        if (_data.UsageKnown)
        {
            foreach (var site in webhooks.Where(w => Wants(w, "quota.threshold")).GroupBy(w => w.SiteId))
            {
                foreach (var token in await _data.QuotaTokensAsync(site.Key, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var percent in new[] { 80, 100 })
                    {
                        if (token is { Quota: > 0, Used: { } used } && used * 100 >= token.Quota.Value * percent)
                        {
                            Raise(site.Key, "quota.threshold", $"quota.threshold:{token.TokenId}:{token.PeriodEnd.ToUnixTimeSeconds()}:{percent}", site.Select(w => w.Id), w =>
                            {
                                w.WriteString("tokenId", token.TokenId);
                                w.WriteString("customer", token.Customer);
                                w.WriteString("planId", token.PlanId);
                                w.WriteNumber("percent", percent);
                                w.WriteNumber("used", used);
                                w.WriteNumber("quota", token.Quota.Value);
                                w.WriteString("periodEnd", token.PeriodEnd);
                            });
                        }
                    }
                }
            }
        }
    }

    private void Raise(string siteId, string type, string dedupeKey, IEnumerable<string> webhookIds, Action<Utf8JsonWriter> data)
    {
        var id = "evt_" + Guid.NewGuid().ToString("N");
        var now = _time.GetUtcNow();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("type", type);
            w.WriteString("siteId", siteId);
            w.WriteString("createdAt", now);
            w.WriteStartObject("data");
            data(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        using var connection = _database.Open();
        WebhookRows.Raise(connection, id, siteId, type, dedupeKey, Encoding.UTF8.GetString(buffer.ToArray()), webhookIds, now.ToUnixTimeMilliseconds());
    }

    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        List<WebhookRows.Delivery> due;
        using (var connection = _database.Open())
        {
            due = WebhookRows.Due(connection, _time.GetUtcNow().ToUnixTimeMilliseconds(), BatchSize);
        }

        foreach (var delivery in due)
        {
            var body = Encoding.UTF8.GetBytes(delivery.Body);
            var now = _time.GetUtcNow();
            int? status = null;
            string? error = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Header(delivery.Secret, now.ToUnixTimeSeconds(), body));
                request.Headers.Add("EdgeFence-Event-Id", delivery.EventId);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                status = (int)response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                error = ex.Message;
            }

            var attempts = delivery.Attempts + 1;
            var done = now.ToUnixTimeMilliseconds();
            using var connection = _database.Open();
            if (status is >= 200 and < 300)
            {
                WebhookRows.Record(connection, delivery.Id, "delivered", attempts, status, null, done, null);
                continue;
            }

            error ??= $"answered {status}";
            var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, _retry.Ticks * (1L << Math.Min(attempts - 1, 20))));
            var givenUp = done - delivery.CreatedAtUnixMs >= (long)GiveUpAfter.TotalMilliseconds;
            WebhookRows.Record(connection, delivery.Id, givenUp ? "failed" : "pending", attempts, status, error, done, givenUp ? null : done + (long)backoff.TotalMilliseconds);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _http.Dispose();
        _stop.Dispose();
    }
}
