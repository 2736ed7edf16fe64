using System.Buffers;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// Decodes a chunked response body (RFC 9112 section 7.1) incrementally, strictly: hex sizes of at most
/// <see cref="UpstreamLimits.MaxChunkSizeDigits"/> digits, chunk extensions of visible characters only,
/// CRLF everywhere, trailers bounded and dropped. Anything else throws <see cref="OriginProtocolException"/>.
/// </summary>
internal struct ChunkedDecoder
{
    private State _state;
    private long _remaining;
    private int _trailerBytes;

    private enum State
    {
        Size,
        Data,
        DataEnd,
        Trailers,
        Done,
    }

    /// <summary>The last chunk and the trailers have been read.</summary>
    public readonly bool IsDone => _state == State.Done;

    /// <summary>
    /// Reads from <paramref name="reader"/> until it needs more bytes or has one piece of chunk data, which it
    /// returns in <paramref name="data"/> (a slice of the reader's sequence). Returns false when it needs more input
    /// (or is done); the caller then keeps the unread rest.
    /// </summary>
    public bool TryRead(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> data)
    {
        data = default;
        while (true)
        {
            switch (_state)
            {
                case State.Size:
                    if (!TryReadLine(ref reader, UpstreamLimits.MaxChunkLineBytes, out var line))
                    {
                        return false;
                    }

                    _remaining = ParseSize(line);
                    _state = _remaining == 0 ? State.Trailers : State.Data;
                    break;

                case State.Data:
                    if (reader.End)
                    {
                        return false;
                    }

                    var take = Math.Min(_remaining, reader.Remaining);
                    data = reader.UnreadSequence.Slice(0, take);
                    reader.Advance(take);
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = State.DataEnd;
                    }

                    return true;

                case State.DataEnd:
                    if (reader.Remaining < 2)
                    {
                        return false;
                    }

                    if (!reader.IsNext("\r\n"u8, advancePast: true))
                    {
                        OriginProtocolException.Throw("chunk data not followed by CRLF");
                    }

                    _state = State.Size;
                    break;

                case State.Trailers:
                    var before = reader.Consumed;
                    if (!TryReadLine(ref reader, UpstreamLimits.MaxResponseHeadBytes - _trailerBytes, out var trailer))
                    {
                        return false;
                    }

                    _trailerBytes += (int)(reader.Consumed - before);
                    if (trailer.IsEmpty)
                    {
                        _state = State.Done;
                        return false;
                    }

                    // Trailers are dropped (the engine does not forward them), but a malformed one still fails the response.
                    if (trailer.IndexOf((byte)':') <= 0)
                    {
                        OriginProtocolException.Throw("invalid trailer line");
                    }

                    break;

                default:
                    return false;
            }
        }
    }

    /// <summary>A CRLF-terminated line without its CRLF; refuses a bare LF or CR and lines over <paramref name="limit"/>.</summary>
    private static bool TryReadLine(ref SequenceReader<byte> reader, int limit, out ReadOnlySpan<byte> line)
    {
        line = default;
        var rest = reader.UnreadSpan;
        int lf;
        byte[]? copy = null;
        if ((lf = rest.IndexOf((byte)'\n')) < 0)
        {
            // The line may straddle segments: look across them (rare: only when a line crosses a read boundary).
            if (reader.UnreadSequence.PositionOf((byte)'\n') is not { } position)
            {
                if (reader.Remaining > limit)
                {
                    OriginProtocolException.Throw("chunk line or trailers over the size limit");
                }

                return false;
            }

            var straddling = reader.UnreadSequence.Slice(0, position);
            copy = straddling.ToArray();
            rest = copy;
            lf = copy.Length;
        }

        if (lf + 1 > limit)
        {
            OriginProtocolException.Throw("chunk line or trailers over the size limit");
        }

        if (lf == 0 || rest[lf - 1] != (byte)'\r')
        {
            OriginProtocolException.Throw("bare LF in chunked framing");
        }

        line = rest[..(lf - 1)];
        if (line.Contains((byte)'\r'))
        {
            OriginProtocolException.Throw("bare CR in chunked framing");
        }

        reader.Advance(lf + 1);
        return true;
    }

    /// <summary>1*HEXDIG [ BWS ";" chunk-ext ]: the extensions are checked for control characters and ignored.</summary>
    internal static long ParseSize(ReadOnlySpan<byte> line)
    {
        var digits = 0;
        long size = 0;
        while (digits < line.Length && char.IsAsciiHexDigit((char)line[digits]))
        {
            if (digits == UpstreamLimits.MaxChunkSizeDigits)
            {
                OriginProtocolException.Throw("chunk size too large");
            }

            size = (size << 4) | (long)HexValue(line[digits]);
            digits++;
        }

        if (digits == 0)
        {
            OriginProtocolException.Throw("invalid chunk size");
        }

        var rest = line[digits..].TrimStart(" \t"u8);
        if (rest.IsEmpty && digits == line.Length)
        {
            return size;
        }

        if (rest.IsEmpty || rest[0] != (byte)';' || rest.ContainsAnyInRange((byte)0, (byte)0x08) || rest.ContainsAnyInRange((byte)0x0A, (byte)0x1F) || rest.Contains((byte)0x7F))
        {
            OriginProtocolException.Throw("invalid chunk size");
        }

        return size;
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
