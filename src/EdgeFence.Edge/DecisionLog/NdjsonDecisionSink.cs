using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace EdgeFence.Edge.DecisionLog;

/// <summary>
/// Appends decisions as one JSON object per line to <c>DataDir/decisions/decisions-&lt;UTC start&gt;.ndjson</c>,
/// starting a new file past <see cref="MaxFileBytes"/> and deleting the oldest beyond
/// <see cref="MaxFiles"/>, so the log can never fill the disk. A batch is formatted into one buffer and leaves in
/// one write (a writer over the file itself flushed the file, one write system call, per record).
/// </summary>
internal sealed class NdjsonDecisionSink : IDecisionSink
{
    private readonly string _directory;
    private readonly string _node;
    /// <summary>Bytes formatted before they are written, so a large batch holds a bounded buffer.</summary>
    private const int PendingBytes = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _pending = new(PendingBytes + 4096);
    private readonly Utf8JsonWriter _writer;
    private FileStream? _file;
    private int _sequence;

    public NdjsonDecisionSink(string directory, string node, long maxFileBytes = 64L * 1024 * 1024, int maxFiles = 20)
    {
        _directory = directory;
        _node = node;
        MaxFileBytes = maxFileBytes;
        MaxFiles = maxFiles;
        _writer = new Utf8JsonWriter(_pending);
        Directory.CreateDirectory(directory);
    }

    public long MaxFileBytes { get; }
    public int MaxFiles { get; }

    public ValueTask WriteAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            // Position, not Length: the file is opened for appending and only written here, so the two
            // agree, and Length asks the kernel (fstat) on every call.
            if (_file is null || _file.Position + _pending.WrittenCount >= MaxFileBytes)
            {
                WritePending();
                Rotate();
            }

            Write(_writer, record);
            _writer.Flush();
            _writer.Reset();
            _pending.Write("\n"u8);
            if (_pending.WrittenCount >= PendingBytes)
            {
                WritePending();
            }
        }

        WritePending();

        // To the OS, not to the disk: a crashed process loses nothing the kernel has; a crashed machine
        // may lose the last batch, which the logs are not worth an fsync per batch for.
        _file?.Flush(flushToDisk: false);
        return ValueTask.CompletedTask;
    }

    private void Write(Utf8JsonWriter w, in DecisionRecord r)
    {
        w.WriteStartObject();
        w.WriteString("time"u8, DateTimeOffset.FromUnixTimeMilliseconds(r.TimeUnixMs).UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("node"u8, _node);
        w.WriteString("requestId"u8, r.RequestId);
        w.WriteString("site"u8, r.Site);
        WriteNullable(w, "tokenId"u8, r.TokenId);
        WriteNullable(w, "customer"u8, r.Customer);
        WriteNullable(w, "plan"u8, r.Plan);
        WriteNullable(w, "resource"u8, r.Resource);
        w.WriteString("method"u8, r.Method);
        w.WriteNumber("status"u8, r.Status);
        w.WriteString("decision"u8, r.Decision);
        w.WriteString("reason"u8, r.Reason);
        w.WriteNumber("units"u8, r.Units);
        if (r.Remaining >= 0)
        {
            w.WriteNumber("remaining"u8, r.Remaining);
        }
        else
        {
            w.WriteNull("remaining"u8);
        }

        w.WriteNumber("snapshotVersion"u8, r.SnapshotVersion);
        if (r.ChargedMicros > 0)
        {
            w.WriteNumber("chargedMicros"u8, r.ChargedMicros);
            WriteNullable(w, "currency"u8, r.ChargedCurrency);
        }

        if (r.OriginStatus > 0)
        {
            w.WriteNumber("originStatus"u8, r.OriginStatus);
            w.WriteNumber("originLatencyMs"u8, Math.Round(r.OriginLatencyMs, 3));
        }

        if (r.PaymentTransaction is not null)
        {
            w.WriteString("x402Transaction"u8, r.PaymentTransaction);
        }

        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private void WritePending()
    {
        if (_file is not null && _pending.WrittenCount > 0)
        {
            _file.Write(_pending.WrittenSpan);
        }

        _pending.ResetWrittenCount();
    }

    private void Rotate()
    {
        _file?.Dispose();
        var name = $"decisions-{DateTime.UtcNow:yyyyMMdd'T'HHmmss}-{_sequence++:D4}.ndjson";
        _file = new FileStream(Path.Combine(_directory, name), FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);

        var files = Directory.GetFiles(_directory, "decisions-*.ndjson");
        if (files.Length > MaxFiles)
        {
            Array.Sort(files, StringComparer.Ordinal);
            for (var i = 0; i < files.Length - MaxFiles; i++)
            {
                File.Delete(files[i]);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);

        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }
}
