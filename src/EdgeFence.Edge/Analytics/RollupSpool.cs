using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace EdgeFence.Edge.Analytics;

/// <summary>
/// Rollup batches waiting for the control plane, one file each in <c>DataDir/rollups/</c>: the exact JSON body of
/// <c>POST /v1/analytics/rollups</c>, named <c>&lt;edge start unix ms&gt;-&lt;sequence&gt;.json</c>, which is also the batch
/// id the control plane keys its idempotency on (with the edge id). Written before the first send and deleted
/// only after the control plane took it, so neither a control plane that is down nor an edge restart loses a
/// count, and a retry of a batch that did land is recognised and not counted twice.
/// </summary>
internal sealed class RollupSpool
{
    /// <summary>
    /// Rows per batch: keeps one body well under the control plane's request body cap (256 KiB) with ids of
    /// ordinary length; <see cref="MaxBatchBytes"/> cuts a batch earlier when ids are long.
    /// </summary>
    public const int MaxRowsPerBatch = 500;

    /// <summary>A batch is closed once its body passes this size (the control plane refuses bodies over 256 KiB).</summary>
    public const int MaxBatchBytes = 192 * 1024;

    private readonly string _directory;
    private readonly string _rejected;
    private readonly string _edge;
    private readonly long _maxBytes;
    private readonly string _prefix;
    private long _sequence;
    private long _bytes;

    /// <param name="maxBytes">
    /// Most bytes the spool keeps. A control plane unreachable for days must not fill the edge's disk
    /// (disk exhaustion takes the counters and the decision log with it): past it the oldest batches are
    /// deleted, and each deletion is logged with what was lost.
    /// </param>
    public RollupSpool(string directory, string edge, long maxBytes, TimeProvider time)
    {
        _directory = directory;
        _rejected = Path.Combine(directory, "rejected");
        _edge = edge;
        _maxBytes = maxBytes;
        _prefix = time.GetUtcNow().ToUnixTimeMilliseconds().ToString("D13", CultureInfo.InvariantCulture) + "-";
        Directory.CreateDirectory(directory);
        foreach (var file in Pending())
        {
            _bytes += new FileInfo(file).Length;
        }
    }

    /// <summary>Bytes currently spooled.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Batches deleted unsent because the spool was full.</summary>
    public long Discarded { get; private set; }

    /// <summary>Spooled batch files, oldest first (names sort by edge start, then sequence).</summary>
    public string[] Pending()
    {
        var files = Directory.GetFiles(_directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Writes the rollup as one or more batch files. Returns how many were written.</summary>
    public int Write(IReadOnlyDictionary<RollupKey, RollupCounts> rollup)
    {
        var written = 0;
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using var json = new Utf8JsonWriter(buffer);
        var rows = 0;
        foreach (var (key, counts) in rollup)
        {
            if (rows == 0)
            {
                buffer.ResetWrittenCount();
                json.Reset(buffer);
                json.WriteStartObject();
                json.WriteString("edge"u8, _edge);
                json.WriteString("batch"u8, NextBatchId());
                json.WriteStartArray("rows"u8);
            }

            WriteRow(json, key, counts);
            rows++;
            json.Flush();
            if (rows >= MaxRowsPerBatch || buffer.WrittenCount >= MaxBatchBytes)
            {
                Close(json, buffer);
                written++;
                rows = 0;
            }
        }

        if (rows > 0)
        {
            Close(json, buffer);
            written++;
        }

        return written;
    }

    /// <summary>The control plane took the batch (or had it already): it is done.</summary>
    public void Delete(string file)
    {
        var length = new FileInfo(file).Length;
        File.Delete(file);
        Interlocked.Add(ref _bytes, -length);
    }

    /// <summary>
    /// The control plane refused the batch as invalid: retrying cannot help, and it must not block the batches
    /// behind it. Kept aside for an operator (the newest 100 only, for the same disk reason as the spool bound).
    /// </summary>
    public void Reject(string file)
    {
        Directory.CreateDirectory(_rejected);
        var length = new FileInfo(file).Length;
        File.Move(file, Path.Combine(_rejected, Path.GetFileName(file)), overwrite: true);
        Interlocked.Add(ref _bytes, -length);
        var kept = Directory.GetFiles(_rejected, "*.json");
        if (kept.Length > 100)
        {
            Array.Sort(kept, StringComparer.Ordinal);
            for (var i = 0; i < kept.Length - 100; i++)
            {
                File.Delete(kept[i]);
            }
        }
    }

    private string NextBatchId() => _prefix + (++_sequence).ToString("D8", CultureInfo.InvariantCulture);

    private void Close(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer)
    {
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();

        // The batch id is the file name: the sequence just taken.
        var name = _prefix + _sequence.ToString("D8", CultureInfo.InvariantCulture) + ".json";
        var path = Path.Combine(_directory, name);
        var temp = path + ".tmp";

        // Temp file, then rename: a crash mid-write leaves a .tmp that is never sent, never half a batch.
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(buffer.WrittenSpan);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        Interlocked.Add(ref _bytes, buffer.WrittenCount);
        while (Bytes > _maxBytes)
        {
            var pending = Pending();
            if (pending.Length <= 1)
            {
                break;
            }

            Delete(pending[0]);
            Discarded++;
        }
    }

    private static void WriteRow(Utf8JsonWriter w, in RollupKey key, in RollupCounts counts)
    {
        w.WriteStartObject();
        w.WriteNumber("minute"u8, key.MinuteUnixMs);
        w.WriteString("site"u8, key.Site);
        w.WriteString("plan"u8, key.Plan);
        w.WriteString("resource"u8, key.Resource);
        w.WriteString("token"u8, key.Token);
        w.WriteString("customer"u8, key.Customer);
        w.WriteString("decision"u8, key.Decision);
        w.WriteString("reason"u8, key.Reason);
        w.WriteString("currency"u8, key.Currency);
        w.WriteNumber("requests"u8, counts.Requests);
        w.WriteNumber("units"u8, counts.Units);
        w.WriteNumber("chargedMicros"u8, counts.ChargedMicros);
        w.WriteEndObject();
    }
}
