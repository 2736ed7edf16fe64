using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeFence.ControlPlane.Logging;
using EdgeFence.ControlPlane.Snapshots;
using EdgeFence.Core.Security;
using Microsoft.Extensions.Logging;

namespace EdgeFence.ControlPlane.Edges;

/// <summary>
/// Delivers the latest snapshot to every configured edge (<c>PUT {edge}/v1/snapshot</c>), one loop per edge,
/// so a slow or dead edge never delays the others. Only the latest version matters: an edge that missed
/// three changes gets the one snapshot that holds them all. The wallet book has a pusher of its own
/// (<c>PUT {edge}/v1/wallets</c>): same signing, same answers from the edge, same retries, and a deposit never
/// waits behind a large snapshot.
/// </summary>
/// <remarks>
/// A failing edge is retried with exponential backoff from <see cref="FirstRetry"/> up to
/// <c>ControlPlane:PushRetryMaxSeconds</c>, with jitter so edges that failed together do not retry in
/// lockstep; a new version wakes every loop at once whatever its backoff, so a revocation is never held
/// back by an earlier failure. Applied versions live in memory: after a restart of the control plane
/// every edge is sent the latest once, and an edge that already has it answers 409, which counts as done.
/// </remarks>
internal sealed class EdgePusher : IAsyncDisposable
{
    /// <summary>First retry delay: long enough not to hammer an edge that is restarting, short enough to catch it as it comes up.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// One attempt's limit: a snapshot of a million tokens is about 100 MB, seconds on a slow link; an edge
    /// that accepts the connection and then hangs must not stall its loop for longer.
    /// </summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    private readonly EdgeTarget[] _targets;
    private readonly HttpClient _http;
    private readonly TimeSpan _retryMax;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _what;
    private readonly Action<string>? _pushFailed;
    private readonly CancellationTokenSource _stop = new();
    private Task[] _loops = [];
    private volatile SignedSnapshot? _latest;

    /// <param name="edges">The edges' admin listeners.</param>
    /// <param name="path">What to <c>PUT</c> there: <see cref="SnapshotPath"/> or <see cref="WalletsPath"/>.</param>
    /// <param name="what">What is pushed, as the log lines name it (<c>snapshot</c>, <c>wallet book</c>).</param>
    /// <param name="retryMax">The longest backoff.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where pushes are logged.</param>
    /// <param name="pushFailed">Called with the edge's name for every failed attempt (a metric).</param>
    public EdgePusher(IReadOnlyList<Uri> edges, string path, string what, TimeSpan retryMax, TimeProvider time, ILogger logger, Action<string>? pushFailed = null)
    {
        _what = what;
        _pushFailed = pushFailed;
        _targets = [.. edges.Select(e => new EdgeTarget(e, path))];
        _retryMax = retryMax;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            // A dead edge must fail fast on connect; a DNS change of an edge's name must be picked up.
            ConnectTimeout = TimeSpan.FromSeconds(3),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The edge's snapshot endpoint, relative to its admin listener.</summary>
    public const string SnapshotPath = "v1/snapshot";

    /// <summary>The edge's wallet book endpoint, relative to its admin listener.</summary>
    public const string WalletsPath = "v1/wallets";

    public SignedSnapshot? Latest => _latest;

    public int EdgeCount => _targets.Length;

    public void Start() => _loops = [.. _targets.Select(t => Task.Run(() => RunAsync(t, _stop.Token)))];

    /// <summary>Makes <paramref name="snapshot"/> the one to deliver (if newer) and wakes every edge's loop.</summary>
    public void Publish(SignedSnapshot snapshot)
    {
        // Compare-and-swap: a publisher that lost a race to a newer version must not put its older one back.
        SignedSnapshot? current;
        do
        {
            current = _latest;
            if (current is not null && current.Version >= snapshot.Version)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _latest, snapshot, current) != current);

        foreach (var target in _targets)
        {
            target.Wake.Set();
        }
    }

    /// <summary>Waits until every edge has had one attempt at <paramref name="version"/> or newer, at most <paramref name="timeout"/>.</summary>
    public async Task WaitForEdgesAsync(long version, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_targets.Length == 0 || timeout <= TimeSpan.Zero)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await Task.WhenAll(_targets.Select(t => t.WaitAttemptedAsync(version, limit.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // An edge that is down or slow: the loop keeps at it, the caller's answer does not wait for it.
        }
    }

    /// <summary>Edges whose acknowledged version is older than the latest (or none yet since this process started).</summary>
    public int EdgesBehind()
    {
        var latest = _latest?.Version ?? 0;
        return _targets.Count(t => (t.AppliedVersion ?? 0) < latest);
    }

    public EdgesResponse Status() => new() { LatestVersion = _latest?.Version ?? 0, Edges = [.. _targets.Select(t => t.Status())] };

    private async Task RunAsync(EdgeTarget target, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var latest = _latest;
                if (latest is null || target.AppliedVersion >= latest.Version)
                {
                    await target.Wake.WaitAsync(Timeout.InfiniteTimeSpan, stop).ConfigureAwait(false);
                    continue;
                }

                var outcome = await PushAsync(target, latest, stop).ConfigureAwait(false);
                var now = _time.GetUtcNow();
                if (outcome.Success)
                {
                    target.Record(latest.Version, outcome, now, null);
                    if (outcome.EdgeVersion > latest.Version)
                    {
                        Log.EdgeAhead(_logger, target.Name, _what, outcome.EdgeVersion.Value, latest.Version);
                    }
                    else
                    {
                        Log.PushApplied(_logger, target.Name, _what, latest.Version, outcome.Result);
                    }

                    continue;
                }

                _pushFailed?.Invoke(target.Name);
                var delay = Backoff(target.Failures + 1);
                target.Record(latest.Version, outcome, now, now + delay);
                if (target.Failures == 1)
                {
                    Log.PushFailed(_logger, target.Name, _what, latest.Version, outcome.Result, (long)delay.TotalMilliseconds);
                }
                else
                {
                    Log.PushRetrying(_logger, target.Name, _what, target.Failures, outcome.Result, (long)delay.TotalMilliseconds);
                }

                // A new version ends the wait early: the edge may be back, and the change must not wait out a backoff.
                await target.Wake.WaitAsync(delay, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var exponential = FirstRetry.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20));
        var capped = Math.Min(exponential, _retryMax.TotalMilliseconds);

        // ±20% jitter.
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    private async Task<PushOutcome> PushAsync(EdgeTarget target, SignedSnapshot snapshot, CancellationToken stop)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop);
        attempt.CancelAfter(AttemptTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Put, target.PushUrl) { Content = new ByteArrayContent(snapshot.Bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.msgpack");
        request.Headers.TryAddWithoutValidation(SnapshotSigner.HeaderName, snapshot.SignatureBase64);
        try
        {
            using var response = await _http.SendAsync(request, attempt.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(attempt.Token).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return new PushOutcome(true, snapshot.Version, "applied");
                case HttpStatusCode.Conflict when ReadLong(body, "currentVersion") is { } edgeVersion && edgeVersion >= snapshot.Version:
                    // The edge already serves this version or a newer one: nothing left to deliver.
                    return new PushOutcome(true, edgeVersion, "up-to-date");
                default:
                    return new PushOutcome(false, null, Describe(response.StatusCode, body));
            }
        }
        catch (HttpRequestException ex)
        {
            return new PushOutcome(false, null, "unreachable: " + ex.Message);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return new PushOutcome(false, null, string.Create(CultureInfo.InvariantCulture, $"timed out after {AttemptTimeout.TotalSeconds} s"));
        }
    }

    /// <summary>The edge's status and its problem detail and first error, which say what to fix (key, validation).</summary>
    private static string Describe(HttpStatusCode status, byte[] body)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status}");
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (document.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                {
                    text += ": " + detail.GetString();
                }

                if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
                {
                    text += " (" + errors[0].ToString() + ")";
                }
            }
        }
        catch (JsonException)
        {
            // Not a problem body: the status says enough.
        }

        return text;
    }

    private static long? ReadLong(byte[] body, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var value)
                && value.TryGetInt64(out var number) ? number : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected on stop.
        }

        _http.Dispose();
        _stop.Dispose();
    }
}
