using System.Buffers;
using System.Text.Json;
using EdgeFence.Core.Model;

namespace EdgeFence.Edge.OpenAi;

/// <summary>
/// Finds the top-level <c>usage</c> of an OpenAI-compatible response while it streams past, without holding it:
/// a JSON body is read incrementally (only an unfinished token is kept), an SSE stream line by line (only the
/// unfinished line is kept), each <c>data:</c> line's JSON read whole. The last usage seen wins. Token counts
/// above <see cref="OpenAiDefaults.MaxTokenCount"/>, negative or not integers are capped and flagged.
/// </summary>
internal sealed class OpenAiUsageScanner : IDisposable
{
    private readonly bool _sse;
    private byte[] _pending = ArrayPool<byte>.Shared.Rent(4096);
    private int _pendingLength;
    private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = OpenAiLimits.MaxDepth });
    private bool _inUsage;
    private bool _usageNext;
    private int _field;
    private long _prompt = -1;
    private long _completion = -1;

    public OpenAiUsageScanner(bool sse) => _sse = sse;

    /// <summary>Both counts were seen in one usage object.</summary>
    public bool Found { get; private set; }

    public long PromptTokens { get; private set; }

    public long CompletionTokens { get; private set; }

    /// <summary>A count was out of bounds and capped.</summary>
    public bool Capped { get; private set; }

    /// <summary>The response could not be followed (not JSON, a token or line past the cap): usage unknown from here on.</summary>
    public bool GaveUp { get; private set; }

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (GaveUp || chunk.IsEmpty)
        {
            return;
        }

        try
        {
            if (_sse)
            {
                FeedLines(chunk);
            }
            else
            {
                FeedJson(chunk);
            }
        }
        catch (JsonException)
        {
            GaveUp = true;
        }
    }

    private void FeedJson(ReadOnlySpan<byte> chunk)
    {
        Append(chunk);
        if (GaveUp)
        {
            return;
        }

        var reader = new Utf8JsonReader(_pending.AsSpan(0, _pendingLength), isFinalBlock: false, _state);
        Scan(ref reader);
        var consumed = (int)reader.BytesConsumed;
        _state = reader.CurrentState;
        _pending.AsSpan(consumed, _pendingLength - consumed).CopyTo(_pending);
        _pendingLength -= consumed;
    }

    private void FeedLines(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Append(chunk);
                return;
            }

            ReadOnlySpan<byte> line;
            if (_pendingLength > 0)
            {
                Append(chunk[..newline]);
                if (GaveUp)
                {
                    return;
                }

                line = _pending.AsSpan(0, _pendingLength);
            }
            else
            {
                line = chunk[..newline];
            }

            ScanLine(line.TrimEnd((byte)'\r'));
            _pendingLength = 0;
            chunk = chunk[(newline + 1)..];
        }
    }

    private void ScanLine(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("data:"u8))
        {
            return;
        }

        var data = line[5..].TrimStart((byte)' ');
        if (data.IsEmpty || data[0] != (byte)'{')
        {
            return;
        }

        _inUsage = _usageNext = false;
        _prompt = _completion = -1;
        try
        {
            var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = OpenAiLimits.MaxDepth });
            Scan(ref reader);
        }
        catch (JsonException)
        {
            // One bad event does not hide a later usage chunk.
        }
    }

    private void Scan(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    _usageNext = reader.ValueTextEquals("usage"u8);
                    break;
                case JsonTokenType.StartObject when reader.CurrentDepth == 1 && _usageNext:
                    _inUsage = true;
                    _prompt = _completion = -1;
                    break;
                case JsonTokenType.EndObject when reader.CurrentDepth == 1 && _inUsage:
                    _inUsage = _usageNext = false;
                    if (_prompt >= 0 && _completion >= 0)
                    {
                        Found = true;
                        PromptTokens = _prompt;
                        CompletionTokens = _completion;
                    }

                    break;
                case JsonTokenType.PropertyName when reader.CurrentDepth == 2 && _inUsage:
                    _field = reader.ValueTextEquals("prompt_tokens"u8) ? 1 : reader.ValueTextEquals("completion_tokens"u8) ? 2 : 0;
                    break;
                case JsonTokenType.Number when reader.CurrentDepth == 2 && _inUsage && _field != 0:
                    var count = Bounded(ref reader);
                    if (_field == 1)
                    {
                        _prompt = count;
                    }
                    else
                    {
                        _completion = count;
                    }

                    _field = 0;
                    break;
                default:
                    if (reader.CurrentDepth <= 1 && reader.TokenType != JsonTokenType.PropertyName)
                    {
                        _usageNext = false;
                    }

                    break;
            }
        }
    }

    private long Bounded(ref Utf8JsonReader reader)
    {
        if (reader.TryGetInt64(out var count) && count is >= 0 and <= OpenAiDefaults.MaxTokenCount)
        {
            return count;
        }

        Capped = true;
        return reader.TryGetInt64(out count) && count < 0 ? 0 : OpenAiDefaults.MaxTokenCount;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var needed = _pendingLength + bytes.Length;
        if (needed > OpenAiLimits.MaxPendingBytes)
        {
            GaveUp = !_sse;
            _pendingLength = _sse ? 0 : _pendingLength;
            return;
        }

        if (needed > _pending.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _pending.Length * 2));
            _pending.AsSpan(0, _pendingLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = larger;
        }

        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength = needed;
    }

    public void Dispose()
    {
        if (_pending.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = [];
        }
    }
}
