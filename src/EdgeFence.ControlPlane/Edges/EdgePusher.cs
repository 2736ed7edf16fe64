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
/// so a slow or dead edge never delays the others. A change that touched only tokens is delivered as a delta
/// (<c>PUT {edge}/v1/snapshot/delta</c>): an edge that took the version before gets the deltas after it, one by one;
/// an edge whose version has no delta chain in the bounded history, or that refuses a delta (another base, 409;
/// invalid, 400), gets the full snapshot of the latest version, which holds every change it missed. The wallet book has a pusher of its own
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
    private readonly Lock _deltasLock = new();
    private readonly SortedList<long, SignedDelta> _deltas = [];
    private Task[] _loops = [];
    private volatile SignedSnapshot? _latest;
    private long _latestDeltaVersion;

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

    /// <summary>The latest full snapshot published (deltas may have followed it: see <see cref="LatestVersion"/>).</summary>
    public SignedSnapshot? Latest => _latest;

    /// <summary>The latest version, full or delta; 0 before the first.</summary>
    public long LatestVersion => Math.Max(_latest?.Version ?? 0, Interlocked.Read(ref _latestDeltaVersion));

    /// <summary>
    /// Builds the full snapshot of the latest version when an edge needs one and only deltas were published since
    /// the last full one (the change runner's <c>LatestFullAsync</c>). Null for a pusher of full documents only.
    /// </summary>
    public Func<CancellationToken, Task<SignedSnapshot>>? FullSnapshotSource { get; set; }

    /// <summary>Adds <paramref name="delta"/> to the bounded history and wakes every edge's loop.</summary>
    public void PublishDelta(SignedDelta delta)
    {
        lock (_deltasLock)
        {
            _deltas[delta.Version] = delta;
            while (_deltas.Count > SnapshotIssuer.DeltaHistory)
            {
                _deltas.RemoveAt(0);
            }

            if (delta.Version > _latestDeltaVersion)
            {
                Interlocked.Exchange(ref _latestDeltaVersion, delta.Version);
            }
        }

        foreach (var target in _targets)
        {
            target.Wake.Set();
        }
    }

    /// <summary>The full snapshot of the latest version (built on demand), or null when there is none to build.</summary>
    public async Task<SignedSnapshot?> LatestFullAsync(CancellationToken cancellationToken)
    {
        var latest = _latest;
        if ((latest is null || latest.Version < LatestVersion) && FullSnapshotSource is { } source)
        {
            latest = await source(cancellationToken).ConfigureAwait(false);
            Publish(latest);
        }

        return _latest is { } newest && newest.Version > (latest?.Version ?? 0) ? newest : latest;
    }
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
        var latest = LatestVersion;
        return _targets.Count(t => (t.AppliedVersion ?? 0) < latest);
    }

    public EdgesResponse Status() => new() { LatestVersion = LatestVersion, Edges = [.. _targets.Select(t => t.Status())] };

    private async Task RunAsync(EdgeTarget target, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var latestVersion = LatestVersion;
                if (latestVersion == 0 || target.AppliedVersion >= latestVersion)
                {
                    await target.Wake.WaitAsync(Timeout.InfiniteTimeSpan, stop).ConfigureAwait(false);
                    continue;
                }

                // 1. The next delta of the edge's chain if we have it (and the edge took the last one), else a full snapshot.
                long version;
                PushOutcome outcome;
                var delta = target.NeedsFull ? null : NextDelta(target, latestVersion);
                if (delta is not null)
                {
                    version = delta.Version;
                    outcome = await PushAsync(target, target.DeltaUrl, delta.Version, delta.Bytes, delta.SignatureBase64, stop).ConfigureAwait(false);
                    if (outcome.FallBack)
                    {
                        // 2. Not its base (or refused): no backoff, and no attempt recorded, so a change still waits for
                        // the full snapshot that follows. A reported version with a chain from it is tried first.
                        Log.PushFallingBackToFull(_logger, target.Name, version, outcome.Result);
                        if (target.ReportedVersion is null && outcome.EdgeVersion is { } reported && reported != version - 1)
                        {
                            target.ReportedVersion = reported;
                        }
                        else
                        {
                            target.NeedsFull = true;
                        }

                        continue;
                    }
                }
                else
                {
                    SignedSnapshot? full;
                    try
                    {
                        full = await LatestFullAsync(stop).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        full = null;
                        Log.PushFailed(_logger, target.Name, _what, latestVersion, "the full snapshot could not be built: " + ex.Message, 0);
                    }

                    if (full is null)
                    {
                        await target.Wake.WaitAsync(Backoff(target.Failures + 1), stop).ConfigureAwait(false);
                        continue;
                    }

                    version = full.Version;
                    outcome = await PushAsync(target, target.PushUrl, full.Version, full.Bytes, full.SignatureBase64, stop).ConfigureAwait(false);
                }

                var now = _time.GetUtcNow();
                if (outcome.Success)
                {
                    target.NeedsFull = false;
                    target.ReportedVersion = null;
                    target.Record(version, outcome, now, null);
                    // Ahead of what we pushed is normal while deltas are still being published at start; ahead of our latest is not.
                    if (outcome.EdgeVersion > LatestVersion)
                    {
                        Log.EdgeAhead(_logger, target.Name, _what, outcome.EdgeVersion.Value, LatestVersion);
                    }
                    else
                    {
                        Log.PushApplied(_logger, target.Name, _what, version, outcome.Result);
                    }

                    continue;
                }

                _pushFailed?.Invoke(target.Name);
                var delay = Backoff(target.Failures + 1);
                target.Record(version, outcome, now, now + delay);
                if (target.Failures == 1)
                {
                    Log.PushFailed(_logger, target.Name, _what, version, outcome.Result, (long)delay.TotalMilliseconds);
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

    /// <summary>The next delta for the edge: from the version it serves (or reported), or, not knowing it, the latest one.</summary>
    private SignedDelta? NextDelta(EdgeTarget target, long latestVersion)
    {
        var next = (target.ReportedVersion ?? target.AppliedVersion) is { } at ? at + 1 : latestVersion;
        lock (_deltasLock)
        {
            return _deltas.GetValueOrDefault(next);
        }
    }

    private async Task<PushOutcome> PushAsync(EdgeTarget target, Uri url, long version, byte[] bytes, string signature, CancellationToken stop)
    {
        var isDelta = url == target.DeltaUrl;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop);
        attempt.CancelAfter(AttemptTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.msgpack");
        request.Headers.TryAddWithoutValidation(SnapshotSigner.HeaderName, signature);
        try
        {
            using var response = await _http.SendAsync(request, attempt.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(attempt.Token).ConfigureAwait(false);
            var edgeVersion = ReadLong(body, "currentVersion");
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return new PushOutcome(true, version, isDelta ? "applied (delta)" : "applied");
                case HttpStatusCode.Conflict when edgeVersion is { } current && current >= version:
                    // The edge already serves this version or a newer one: nothing left to deliver.
                    return new PushOutcome(true, current, "up-to-date");
                case HttpStatusCode.Conflict or HttpStatusCode.BadRequest when isDelta:
                    // Another base (409 delta-needs-full-snapshot) or a delta it refuses (400): a full snapshot settles both.
                    return new PushOutcome(false, edgeVersion, Describe(response.StatusCode, body), FallBack: true);
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
