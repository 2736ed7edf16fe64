using System.Text.Json;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Enforcement;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Snapshots;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.Admin;

/// <summary>The admin listener: snapshot and wallet book pushes, health. Never mapped on the public listener.</summary>
internal static class AdminEndpoints
{
    /// <summary>
    /// Largest delta body accepted. Threat: the body is buffered whole before its signature is checked, so anyone who
    /// reaches the admin listener could make the edge hold this much per request; a delta at its token limit
    /// (<see cref="Core.Serialization.SnapshotLimits.MaxDeltaTokens"/>, about 150 bytes each) fits in half of it.
    /// </summary>
    private const int MaxDeltaBytes = 32 * 1024 * 1024;

    public static void Map(WebApplication app, SnapshotManager snapshots, Payments.WalletManager wallets, Func<string> redisState, Revocations.ConfigFreshness freshness, int maxSnapshotBytes, ILogger logger)
    {
        var snapshot = new SignedDocument("Snapshot", "snapshot", (bytes, signature) => snapshots.TryApply(bytes, signature), v => Log.SnapshotApplied(logger, v), d => Log.SnapshotRejected(logger, d));
        var walletBook = new SignedDocument("Wallet book", "wallets", (bytes, signature) => wallets.TryApply(bytes, signature), v => Log.WalletBookApplied(logger, v, wallets.Current?.Count ?? 0), d => Log.WalletBookRejected(logger, d));
        var delta = new SignedDocument("Delta", "delta", (bytes, signature) => snapshots.TryApplyDelta(bytes, signature), _ => { }, d => Log.DeltaRejected(logger, d), d => Log.DeltaNeedsFullSnapshot(logger, d));
        app.MapPut("/v1/snapshot", context => PutSignedAsync(context, snapshot, maxSnapshotBytes));
        app.MapPut("/v1/snapshot/delta", context => PutSignedAsync(context, delta, Math.Min(maxSnapshotBytes, MaxDeltaBytes), "the delta limit (32 MiB, or EdgeFence:MaxSnapshotMiB if smaller)"));
        app.MapPut("/v1/wallets", context => PutSignedAsync(context, walletBook, maxSnapshotBytes));
        app.MapGet("/v1/wallets", context => WriteJsonAsync(context, 200, writer =>
        {
            var book = wallets.Current;
            writer.WriteStartObject();
            if (book is null)
            {
                writer.WriteNull("version"u8);
            }
            else
            {
                writer.WriteNumber("version"u8, book.Version);
                writer.WriteNumber("balances"u8, book.Count);
            }

            writer.WriteEndObject();
        }));
        app.MapGet("/v1/snapshot", context => WriteJsonAsync(context, 200, writer =>
        {
            var state = snapshots.Current;
            writer.WriteStartObject();
            if (state is null)
            {
                writer.WriteNull("version"u8);
            }
            else
            {
                writer.WriteNumber("version"u8, state.Version);
                writer.WriteNumber("sites"u8, state.SiteCount);
                writer.WriteNumber("plans"u8, state.PlanCount);
                writer.WriteNumber("resources"u8, state.ResourceCount);
                writer.WriteNumber("tokens"u8, state.Tokens.Count);
                writer.WriteNumber("overlayTokens"u8, state.Tokens.OverlayCount);
                writer.WriteString("stateHash"u8, Core.Security.StateHash.ToHex(state.StateHash));
            }

            writer.WriteEndObject();
        }));
        app.MapGet("/healthz", context => WriteJsonAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status"u8, "alive");
            writer.WriteEndObject();
        }));
        app.MapGet("/readyz", context =>
        {
            var state = snapshots.Current;
            return WriteJsonAsync(context, state is null ? 503 : 200, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("status"u8, state is null ? "no-snapshot" : "ready");
                if (state is not null)
                {
                    writer.WriteNumber("snapshotVersion"u8, state.Version);
                }

                writer.WriteString("store"u8, "open");
                writer.WriteString("redis"u8, redisState());

                // Reported, not a reason for 503: a stale edge still answers (by its policy), and taking it out of
                // the load balancer would move its traffic to edges that are probably just as cut off.
                if (freshness.Enabled)
                {
                    writer.WriteStartObject("config"u8);
                    writer.WriteString("state"u8, freshness.IsStale() ? "stale" : "fresh");
                    writer.WriteNumber("ageSeconds"u8, Math.Round(freshness.AgeSeconds(), 1));
                    writer.WriteNumber("maxAgeSeconds"u8, freshness.MaxAgeSeconds);
                    writer.WriteString("stalePolicy"u8, freshness.RefuseWhenStale ? "refuse" : "serve");
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            });
        });
    }

    /// <summary>A signed document the admin listener accepts: a snapshot or a wallet book, applied the same way.</summary>
    private sealed record SignedDocument(string Title, string Problem, Func<byte[], byte[]?, SnapshotApplyResult> Apply, Action<long> Applied, Action<string> Rejected, Action<string>? NeedsFull = null);

    private static async Task PutSignedAsync(HttpContext context, SignedDocument document, int maxBytes, string limitName = "EdgeFence:MaxSnapshotMiB")
    {
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        if (context.Request.ContentLength is { } length && length > maxBytes)
        {
            await ProblemWriter.WriteAsync(context, DenyReason.InvalidRequestBody, $"{document.Title.ToLowerInvariant()} is larger than {limitName}", null).ConfigureAwait(false);
            return;
        }

        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream(context.Request.ContentLength is { } l ? (int)l : 64 * 1024);
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            // Sized from Content-Length, the buffer is usually exactly full: take it without a second copy.
            bytes = buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            await ProblemWriter.WriteAsync(context, DenyReason.InvalidRequestBody, ex.Message, null).ConfigureAwait(false);
            return;
        }

        byte[]? signature = null;
        var header = context.Request.Headers[SnapshotSigner.HeaderName];
        if (header.Count > 0 && !SnapshotSigner.TryDecodeSignature(header[0], out signature))
        {
            document.Rejected("signature header is not base64");
            await WriteResultAsync(context, document, 400, "rejected", $"{SnapshotSigner.HeaderName} is not a base64 signature", null, []).ConfigureAwait(false);
            return;
        }

        var result = document.Apply(bytes, signature);
        switch (result.Status)
        {
            case SnapshotApplyStatus.Applied:
                document.Applied(result.Version);
                await WriteResultAsync(context, document, 200, null, null, result.Version, []).ConfigureAwait(false);
                break;
            case SnapshotApplyStatus.Stale:
                document.Rejected(result.Detail);
                await WriteResultAsync(context, document, 409, "stale", result.Detail, result.Version, []).ConfigureAwait(false);
                break;
            case SnapshotApplyStatus.NeedsFullSnapshot:
                document.NeedsFull?.Invoke(result.Detail);
                await WriteResultAsync(context, document, 409, "needs-full-snapshot", result.Detail, result.Version, []).ConfigureAwait(false);
                break;
            case SnapshotApplyStatus.NotPersisted:
                await WriteResultAsync(context, document, 500, "not-persisted", result.Detail, null, []).ConfigureAwait(false);
                break;
            default:
                document.Rejected(result.Detail);
                await WriteResultAsync(context, document, 400, "rejected", result.Detail, null, result.Errors).ConfigureAwait(false);
                break;
        }
    }

    private static Task WriteResultAsync(HttpContext context, SignedDocument document, int status, string? problem, string? detail, long? version, IReadOnlyList<string> errors)
    {
        if (problem is not null)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = ProblemWriter.ContentType;
            using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
            {
                writer.WriteStartObject();
                writer.WriteString("type"u8, "urn:edgefence:problem:" + document.Problem + "-" + problem);
                writer.WriteString("title"u8, document.Title + (problem == "needs-full-snapshot" ? " does not apply to the serving state: send a full snapshot" : status == 409 ? " is not newer than the serving one" : status == 500 ? " could not be stored" : " rejected"));
                writer.WriteNumber("status"u8, status);
                writer.WriteString("detail"u8, detail);
                if (version is { } v)
                {
                    writer.WriteNumber("currentVersion"u8, v);
                }

                if (errors.Count > 0)
                {
                    writer.WriteStartArray("errors"u8);
                    foreach (var error in errors)
                    {
                        writer.WriteStringValue(error);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            return context.Response.BodyWriter.FlushAsync().AsTask();
        }

        return WriteJsonAsync(context, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("version"u8, version ?? 0);
            writer.WriteString("status"u8, "applied");
            writer.WriteEndObject();
        });
    }

    private static Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            write(writer);
        }

        return context.Response.BodyWriter.FlushAsync().AsTask();
    }
}
