using System.Buffers;
using System.Text;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// A strict HTTP/1.x response status-line and header parser (RFC 9112). It refuses what it would have to
/// guess at, because a proxy that reads a response differently from the client behind it can be made to
/// splice one response into another: bare LF or CR, obs-fold, whitespace before the colon, control
/// characters, a non-numeric or differing duplicate Content-Length, Content-Length together with
/// Transfer-Encoding, any transfer coding other than a lone <c>chunked</c>, a head over
/// <see cref="UpstreamLimits.MaxResponseHeadBytes"/>.
/// </summary>
internal static class ResponseHeadParser
{
    // RFC 9110 5.6.2 tchar.
    private static readonly SearchValues<byte> s_tokenChars = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // field-vchar, SP and HTAB, obs-text: everything but the other control characters and DEL.
    private static readonly SearchValues<byte> s_fieldValueChars = SearchValues.Create(FieldValueBytes());

    /// <summary>
    /// Parses one response head from the start of <paramref name="buffer"/>. Returns false when the head is
    /// not complete yet (the caller reads more, and enforces the size limit through <paramref name="buffer"/>'s
    /// length); throws <see cref="OriginProtocolException"/> for anything invalid. The handler sees each
    /// header once, only when the whole head is there.
    /// </summary>
    public static bool TryParse<THandler>(in ReadOnlySequence<byte> buffer, ref THandler handler, out ResponseHead head)
        where THandler : struct, IResponseHeaderHandler
    {
        head = default;

        // :: Step 1: find the end of the head (CRLF CRLF) before handing out anything.
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> block, "\r\n\r\n"u8, advancePastDelimiter: true))
        {
            if (buffer.Length > UpstreamLimits.MaxResponseHeadBytes)
            {
                OriginProtocolException.Throw("response head over the size limit");
            }

            // A bare-LF head never contains CRLF CRLF: refuse it now rather than wait for the limit or the timeout.
            if (buffer.FirstSpan.IndexOf("\n\n"u8) >= 0)
            {
                OriginProtocolException.Throw("bare LF in the response head");
            }

            return false;
        }

        var length = checked((int)reader.Consumed);
        if (length > UpstreamLimits.MaxResponseHeadBytes)
        {
            OriginProtocolException.Throw("response head over the size limit");
        }

        // :: Step 2: parse a contiguous copy (the head is almost always in one segment already).
        head.HeadLength = length;
        head.ContentLength = -1;
        if (block.IsSingleSegment)
        {
            ParseBlock(block.FirstSpan, ref handler, ref head);
            return true;
        }

        var rented = ArrayPool<byte>.Shared.Rent((int)block.Length);
        try
        {
            block.CopyTo(rented);
            ParseBlock(rented.AsSpan(0, (int)block.Length), ref handler, ref head);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return true;
    }

    /// <summary>The head without its final CRLF CRLF: a status line, then header lines separated by CRLF.</summary>
    private static void ParseBlock<THandler>(ReadOnlySpan<byte> block, ref THandler handler, ref ResponseHead head)
        where THandler : struct, IResponseHeaderHandler
    {
        var lineEnd = block.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? block : block[..lineEnd];
        ParseStatusLine(statusLine, ref head);
        handler.OnStatusLine(head.Status);
        var rest = lineEnd < 0 ? default : block[(lineEnd + 2)..];
        var sawTransferEncoding = false;
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? rest : rest[..lineEnd];
            rest = lineEnd < 0 ? default : rest[(lineEnd + 2)..];
            ParseHeaderLine(line, ref handler, ref head, ref sawTransferEncoding);
        }

        // RFC 9112 6.3: a sender must not send both; a proxy that picks one is how responses get smuggled.
        if (sawTransferEncoding && head.ContentLength >= 0)
        {
            OriginProtocolException.Throw("response has both Content-Length and Transfer-Encoding");
        }
    }

    private static void ParseStatusLine(ReadOnlySpan<byte> line, ref ResponseHead head)
    {
        // HTTP/1.x SP 3DIGIT [SP reason-phrase]
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[7] is not ((byte)'0' or (byte)'1') || line[8] != (byte)' ')
        {
            OriginProtocolException.Throw("invalid status line");
        }

        var code = line.Slice(9, 3);
        if (!char.IsAsciiDigit((char)code[0]) || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2]))
        {
            OriginProtocolException.Throw("invalid status code");
        }

        var status = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        if (status is < 100 or > 599)
        {
            OriginProtocolException.Throw("invalid status code");
        }

        if (line.Length > 12 && (line[12] != (byte)' ' || line[13..].ContainsAnyExcept(s_fieldValueChars)))
        {
            OriginProtocolException.Throw("invalid reason phrase");
        }

        head.Status = status;
        head.MinorVersion = line[7] - '0';
    }

    private static void ParseHeaderLine<THandler>(ReadOnlySpan<byte> line, ref THandler handler, ref ResponseHead head, ref bool sawTransferEncoding)
        where THandler : struct, IResponseHeaderHandler
    {
        // :: Step 1: name, a token directly followed by ':'. A leading SP/HTAB is obs-fold; SP before ':' is refused (RFC 9112 5.1).
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            OriginProtocolException.Throw(line.IsEmpty || line[0] is (byte)' ' or (byte)'\t' ? "obs-fold in the response head" : "invalid header line");
        }

        var name = line[..colon];
        if (name.ContainsAnyExcept(s_tokenChars))
        {
            OriginProtocolException.Throw(name[0] is (byte)' ' or (byte)'\t' ? "obs-fold in the response head" : "invalid header name");
        }

        // :: Step 2: value: no CR, LF (a bare one inside the block), NUL or other controls; OWS trimmed.
        var value = line[(colon + 1)..];
        if (value.ContainsAnyExcept(s_fieldValueChars))
        {
            OriginProtocolException.Throw("invalid character in a header value");
        }

        value = value.Trim(" \t"u8);

        // :: Step 3: the framing headers the engine itself acts on.
        if (name.Length == 14 && Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            ParseContentLength(value, ref head);
        }
        else if (name.Length == 17 && Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            // Only a lone "chunked" is understood; anything else (gzip, chunked twice, chunked not last) is refused.
            if (sawTransferEncoding || !Ascii.EqualsIgnoreCase(value, "chunked"u8))
            {
                OriginProtocolException.Throw("unsupported Transfer-Encoding");
            }

            sawTransferEncoding = true;
            head.Chunked = true;
        }
        else if (name.Length == 10 && Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            foreach (var range in value.Split((byte)','))
            {
                var option = value[range].Trim(" \t"u8);
                head.ConnectionClose |= Ascii.EqualsIgnoreCase(option, "close"u8);
                head.KeepAlive |= Ascii.EqualsIgnoreCase(option, "keep-alive"u8);
            }
        }

        handler.OnHeader(name, value);
    }

    /// <summary>Digits only; a list or a repeated header is accepted only when every value is the same (RFC 9110 8.6).</summary>
    private static void ParseContentLength(ReadOnlySpan<byte> value, ref ResponseHead head)
    {
        foreach (var range in value.Split((byte)','))
        {
            var item = value[range].Trim(" \t"u8);

            // 18 digits stay below long.MaxValue; an origin body that large is not a real one.
            if (item.IsEmpty || item.Length > 18 || item.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            {
                OriginProtocolException.Throw("invalid Content-Length");
            }

            long parsed = 0;
            foreach (var digit in item)
            {
                parsed = (parsed * 10) + (digit - '0');
            }

            if (head.ContentLength >= 0 && head.ContentLength != parsed)
            {
                OriginProtocolException.Throw("differing Content-Length values");
            }

            head.ContentLength = parsed;
        }
    }

    private static byte[] FieldValueBytes()
    {
        var bytes = new List<byte> { (byte)'\t' };
        for (var b = 0x20; b <= 0xFF; b++)
        {
            if (b != 0x7F)
            {
                bytes.Add((byte)b);
            }
        }

        return [.. bytes];
    }
}
