using System.Net;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Snapshots;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Hosting;

/// <summary>
/// On start, after the persisted snapshot and wallet book are loaded: fetch the control plane's latest
/// (<c>GET {EdgeFence:ControlPlaneUrl}/v1/snapshot</c>, then <c>/v1/wallets</c>) and apply each like a push (signature, newer only,
/// validated whole). Covers what pushes cannot: an edge that was down, or new, when the last change was
/// pushed. Never fatal: with the control plane unreachable the edge serves what it has.
/// </summary>
internal static partial class ControlPlanePull
{
    /// <summary>
    /// The whole pull, connect included, waits at most this long before the listeners start: long enough for
    /// a large snapshot on a LAN, short enough that a control plane that black-holes packets delays the start
    /// by seconds, not minutes.
    /// </summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task PullAsync(EdgeOptions options, SnapshotManager snapshots, Payments.WalletManager wallets, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.ControlPlaneUrl))
        {
            return;
        }

        var baseUrl = options.ControlPlaneUrl.TrimEnd('/');
        if (!Uri.TryCreate(baseUrl + "/v1/snapshot", UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new EdgeConfigurationException("EdgeFence:ControlPlaneUrl", $"'{options.ControlPlaneUrl}' is not an http(s) URL");
        }

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = Timeout, UseProxy = false })
        {
            Timeout = Timeout,

            // The same bound as a pushed snapshot: a misbehaving server cannot make the edge buffer more.
            MaxResponseContentBufferSize = Math.Min((long)options.MaxSnapshotMiB * 1024 * 1024, int.MaxValue),
        };

        // The snapshot first: the wallet book is only debited against on paths the snapshot enforces.
        await PullOneAsync(http, url, options.ControlPlaneKey, "snapshot", (bytes, signature) => snapshots.TryApply(bytes, signature), () => snapshots.Current?.Version ?? 0, logger).ConfigureAwait(false);
        await PullOneAsync(http, new Uri(baseUrl + "/v1/wallets"), options.ControlPlaneKey, "wallet book", (bytes, signature) => wallets.TryApply(bytes, signature), () => wallets.Current?.Version ?? 0, logger).ConfigureAwait(false);
    }

    private static async Task PullOneAsync(HttpClient http, Uri url, string? key, string what, Func<byte[], byte[]?, SnapshotApplyResult> apply, Func<long> currentVersion, ILogger logger)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrEmpty(key))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }

        byte[] bytes;
        byte[]? signature = null;
        try
        {
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                PullFailed(logger, what, url.GetLeftPart(UriPartial.Authority), $"HTTP {(int)response.StatusCode}", currentVersion());
                return;
            }

            bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (response.Headers.TryGetValues(SnapshotSigner.HeaderName, out var values) && !SnapshotSigner.TryDecodeSignature(values.FirstOrDefault(), out signature))
            {
                signature = null;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            PullFailed(logger, what, url.GetLeftPart(UriPartial.Authority), ex.Message, currentVersion());
            return;
        }

        var result = apply(bytes, signature);
        switch (result.Status)
        {
            case SnapshotApplyStatus.Applied:
                Pulled(logger, what, result.Version, url.GetLeftPart(UriPartial.Authority));
                break;
            case SnapshotApplyStatus.Stale:
                PullNotNewer(logger, what, result.Detail);
                break;
            default:
                PullFailed(logger, what, url.GetLeftPart(UriPartial.Authority), result.Detail + (result.Errors.Count > 0 ? ": " + result.Errors[0] : ""), currentVersion());
                break;
        }
    }

    [LoggerMessage(EventIds.ControlPlanePulled, LogLevel.Information, "The {What} version {Version} pulled from the control plane at {ControlPlane}")]
    private static partial void Pulled(ILogger logger, string what, long version, string controlPlane);

    [LoggerMessage(EventIds.ControlPlanePullNotNewer, LogLevel.Information, "The control plane's {What} is not newer: {Detail}")]
    private static partial void PullNotNewer(ILogger logger, string what, string detail);

    [LoggerMessage(EventIds.ControlPlanePullFailed, LogLevel.Warning, "Pull of the {What} from the control plane at {ControlPlane} failed ({Problem}); serving version {Version} (0: none)")]
    private static partial void PullFailed(ILogger logger, string what, string controlPlane, string problem, long version);
}
