using System.Security.Cryptography;
using EdgeFence.Core.Channel;
using EdgeFence.Core.Security;
using EdgeFence.Edge.Logging;
using EdgeFence.Edge.Payments;
using EdgeFence.Edge.Snapshots;
using EdgeFence.Edge.Sync;
using EdgeFence.Edge.Telemetry;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace EdgeFence.Edge.Revocations;

/// <summary>
/// Follows the revocation channel, the Redis stream the control plane adds signed revocations, credits and
/// heartbeats to, so an edge its pushes cannot reach still refuses a revoked token (and can spend a deposit)
/// within a poll of the change. Polls with a plain XREAD every <c>EdgeFence:ChannelPollMs</c> rather than a
/// blocking one: the ledger's multiplexer is shared, and a blocking command would stall every call behind it.
/// </summary>
/// <remarks>
/// Every entry's signature is verified with the snapshot key before a byte of it is decoded, so a Redis writer
/// cannot forge one. Only tightening (revocations) and grow-only (credited totals) entries exist, so one who
/// replays or reorders old signed entries cannot loosen anything either. The position read up to, and the
/// entries no served snapshot or wallet book carries yet, are kept in <c>channel.state</c>: a restarted edge
/// resumes after the last entry it applied and still refuses what it had learned only from the channel.
/// </remarks>
internal sealed class ChannelFollower : IAsyncDisposable
{
    /// <summary>Entries read per XREAD: bounds one read's memory while an edge catches up on a long backlog.</summary>
    private const int BatchSize = 256;

    /// <summary>Longest signature looked at (DER ECDSA P-256 is at most 72 bytes); a larger one is refused unverified.</summary>
    private const int MaxSignatureBytes = 128;

    private readonly RedisLedger _ledger;
    private readonly string _stream;
    private readonly ECDsa _publicKey;
    private readonly SnapshotManager _snapshots;
    private readonly WalletManager _wallets;
    private readonly RevocationOverlay _overlay;
    private readonly ConfigFreshness _freshness;
    private readonly EdgeMetrics _metrics;
    private readonly TimeSpan _poll;
    private readonly ChannelStateFile _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(byte[] Bytes, byte[] Signature, ChannelEntry Entry)> _pending = [];
    private string _cursor = "0-0";
    private Task? _loop;

    public ChannelFollower(RedisLedger ledger, string stream, ECDsa publicKey, SnapshotManager snapshots, WalletManager wallets, RevocationOverlay overlay, ConfigFreshness freshness, EdgeMetrics metrics, TimeSpan poll, string dataDirectory, TimeProvider time, ILogger logger)
    {
        _ledger = ledger;
        _stream = stream;
        _publicKey = publicKey;
        _snapshots = snapshots;
        _wallets = wallets;
        _overlay = overlay;
        _freshness = freshness;
        _metrics = metrics;
        _poll = poll;
        _state = new ChannelStateFile(Path.Combine(dataDirectory, "channel.state"));
        _time = time;
        _logger = logger;
    }

    /// <summary>Restores the cursor and the pending entries (verified again: the file is no more trusted than Redis), then starts polling.</summary>
    public void Start()
    {
        if (_state.TryRead(out var cursor, out var heardMs, out var entries))
        {
            _cursor = cursor;
            _freshness.HeardAt(heardMs);
            foreach (var (bytes, signature) in entries)
            {
                Handle("restored", bytes, signature, restoring: true);
            }
        }

        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var lastSave = _time.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            var changed = false;
            var read = 0;
            try
            {
                var entries = await _ledger.StreamReadAsync(_stream, _cursor, BatchSize).ConfigureAwait(false);
                read = entries.Length;
                foreach (var entry in entries)
                {
                    changed |= Handle(entry.Id.ToString(), entry["d"], entry["s"], restoring: false);
                    _cursor = entry.Id.ToString();
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.ChannelReadFailed(_logger, ex.Message);
            }

            // Saved at once when something was learned, else every few seconds (the cursor and heartbeat time only).
            if (changed || (read > 0 && _time.GetElapsedTime(lastSave) > TimeSpan.FromSeconds(5)))
            {
                Save();
                lastSave = _time.GetTimestamp();
            }

            if (read == BatchSize)
            {
                continue;
            }

            try
            {
                await Task.Delay(_poll, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Verifies, decodes and applies one entry; true when it changed what the edge enforces.</summary>
    private bool Handle(string id, RedisValue data, RedisValue signatureValue, bool restoring)
    {
        byte[]? bytes = data.IsNull ? null : (byte[]?)data;
        byte[]? signature = signatureValue.IsNull ? null : (byte[]?)signatureValue;
        return Handle(id, bytes, signature, restoring);
    }

    private bool Handle(string id, byte[]? bytes, byte[]? signature, bool restoring)
    {
        // :: Step 1: sizes, then the signature over the exact bytes, before a byte is decoded.
        if (bytes is null || signature is null || bytes.Length > ChannelEntryCodec.MaxEntryBytes || signature.Length > MaxSignatureBytes)
        {
            return Ignore(id, "not a signed channel entry (fields d and s, within size)");
        }

        if (!SnapshotSigner.Verify(bytes, signature, _publicKey))
        {
            return Ignore(id, "signature does not verify with the configured public key");
        }

        // :: Step 2: decode.
        if (!ChannelEntryCodec.TryDecode(bytes, out var entry, out var error))
        {
            return Ignore(id, error);
        }

        _freshness.HeardAt(entry.CreatedAtUnixMs);

        // :: Step 3: apply. Each is idempotent; one the served snapshot or book already carries changes nothing.
        var applied = entry.Kind switch
        {
            ChannelEntryKind.Revoke => _overlay.Add(entry.TokenId, entry.Version, _snapshots.Current?.Version ?? 0),
            ChannelEntryKind.Credit => _wallets.ApplyCredit(entry),
            _ => false,
        };
        if (!applied)
        {
            return false;
        }

        lock (_pending)
        {
            _pending.Add((bytes, signature, entry));
        }

        if (!restoring)
        {
            var latency = _time.GetUtcNow().ToUnixTimeMilliseconds() - entry.CreatedAtUnixMs;
            _metrics.ChannelEntry("applied");
            Log.ChannelEntryApplied(_logger, entry.Kind == ChannelEntryKind.Revoke ? "revocation" : "credit", entry.Kind == ChannelEntryKind.Revoke ? entry.TokenId : entry.Customer, entry.Version, latency);
        }

        return true;
    }

    private bool Ignore(string id, string detail)
    {
        _metrics.ChannelEntry("ignored");
        Log.ChannelEntryIgnored(_logger, id, detail);
        return false;
    }

    /// <summary>Writes the cursor, the last heard time and the entries no served snapshot or book carries yet.</summary>
    private void Save()
    {
        var snapshotVersion = _snapshots.Current?.Version ?? 0;
        var walletVersion = _wallets.Current?.Version ?? 0;
        List<(byte[], byte[])> keep;
        lock (_pending)
        {
            _pending.RemoveAll(p => p.Entry.Version <= (p.Entry.Kind == ChannelEntryKind.Revoke ? snapshotVersion : walletVersion));
            keep = [.. _pending.Select(p => (p.Bytes, p.Signature))];
        }

        try
        {
            _state.Write(_cursor, _freshness.LastHeardMs, keep);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.ChannelReadFailed(_logger, "channel.state not written: " + ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
            Save();
        }

        _stop.Dispose();
    }
}
