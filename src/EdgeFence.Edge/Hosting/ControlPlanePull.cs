using System.Net;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Snapshots;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Hosting;

/// <summary>
/// On start, after the persisted snapshot is loaded: fetch the control plane's latest
/// (<c>GET {EdgeFence:ControlPlaneUrl}/v1/snapshot</c>) and apply it like a push (signature, newer only,
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

    public static async Task PullAsync(EdgeOptions options, SnapshotManager snapshots, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.ControlPlaneUrl))
        {
            return;
        }

        if (!Uri.TryCreate(options.ControlPlaneUrl.TrimEnd('/') + "/v1/snapshot", UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new EdgeConfigurationException("EdgeFence:ControlPlaneUrl", $"'{options.ControlPlaneUrl}' is not an http(s) URL");
        }

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = Timeout, UseProxy = false })
        {
            Timeout = Timeout,

            // The same bound as a pushed snapshot: a misbehaving server cannot make the edge buffer more.
            MaxResponseContentBufferSize = Math.Min((long)options.MaxSnapshotMiB * 1024 * 1024, int.MaxValue),
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrEmpty(options.ControlPlaneKey))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + options.ControlPlaneKey);
        }

        byte[] bytes;
        byte[]? signature = null;
        try
        {
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                PullFailed(logger, url.GetLeftPart(UriPartial.Authority), $"HTTP {(int)response.StatusCode}", snapshots.Current?.Version ?? 0);
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
            PullFailed(logger, url.GetLeftPart(UriPartial.Authority), ex.Message, snapshots.Current?.Version ?? 0);
            return;
        }

        var result = snapshots.TryApply(bytes, signature);
        switch (result.Status)
        {
            case SnapshotApplyStatus.Applied:
                Pulled(logger, result.Version, url.GetLeftPart(UriPartial.Authority));
                break;
            case SnapshotApplyStatus.Stale:
                PullNotNewer(logger, result.Detail);
                break;
            default:
                PullFailed(logger, url.GetLeftPart(UriPartial.Authority), result.Detail + (result.Errors.Count > 0 ? ": " + result.Errors[0] : ""), snapshots.Current?.Version ?? 0);
                break;
        }
    }

    [LoggerMessage(EventIds.ControlPlanePulled, LogLevel.Information, "Snapshot version {Version} pulled from the control plane at {ControlPlane}")]
    private static partial void Pulled(ILogger logger, long version, string controlPlane);

    [LoggerMessage(EventIds.ControlPlanePullNotNewer, LogLevel.Information, "The control plane's snapshot is not newer: {Detail}")]
    private static partial void PullNotNewer(ILogger logger, string detail);

    [LoggerMessage(EventIds.ControlPlanePullFailed, LogLevel.Warning, "Pull from the control plane at {ControlPlane} failed ({Problem}); serving snapshot version {Version} (0: none)")]
    private static partial void PullFailed(ILogger logger, string controlPlane, string problem, long version);
}
