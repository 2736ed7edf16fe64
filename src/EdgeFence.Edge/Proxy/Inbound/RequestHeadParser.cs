using System.Buffers;
using System.Text;

namespace EdgeFence.Edge.Proxy.Inbound;

/// <summary>
/// The strict RFC 9112 request-head parser of the fast path. It faces the internet, so it refuses whatever it would
/// have to guess at, because a proxy that reads a request differently from the origin behind it can be made to
/// smuggle a second request inside the first: bare LF or CR, obs-fold, whitespace before the colon, control
/// characters and obs-text, a duplicate or non-numeric Content-Length, Content-Length with Transfer-Encoding, any
/// transfer coding other than a lone <c>chunked</c>, a missing or duplicate Host, over-long lines and heads. What
/// is valid but not the fast path's business (HTTP/2 prior knowledge, upgrades, absolute-form and asterisk
/// targets, IPv6-literal hosts) is handed to Kestrel's full stack instead. Written by hand: reading request heads without strings
/// or header collections is the fast path's own job (Kestrel's parser feeds its own header dictionaries).
/// A differential fuzz test holds it to Kestrel: it never accepts what Kestrel refuses, and reads the same fields.
/// </summary>
internal static class RequestHeadParser
{
    /// <summary>
    /// Longest request line, CRLF included. Threat: a client streaming an endless request line so the edge buffers
    /// it. Below Kestrel's 8,192 so that nothing Kestrel refuses for length gets through here.
    /// </summary>
    public const int MaxRequestLineBytes = 8_000;

    /// <summary>
    /// Longest head, request line to the empty line. Threat: an endless header block held in memory per connection.
    /// Below Kestrel's 32 KiB header budget, for the same reason.
    /// </summary>
    public const int MaxHeadBytes = 32_000;

    /// <summary>Most header lines. Threat: a head of thousands of tiny headers costing the edge work per line. Kestrel's limit too.</summary>
    public const int MaxHeaderCount = 100;

    /// <summary>Digits in a Content-Length: 18 stay below 2^63, so a length never overflows (a wrapped length frames the body differently).</summary>
    private const int MaxContentLengthDigits = 18;

    // RFC 9110 5.6.2 tchar.
    private static readonly SearchValues<byte> s_tokenChars = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // field-vchar, SP and HTAB. No obs-text: no client needs it, and bytes above 0x7E read differently per parser.
    private static readonly SearchValues<byte> s_fieldValueChars = SearchValues.Create(FieldValueBytes());

    // A Host: reg-name letters, digits, '-', '.', '_', then an optional port.
    private static readonly SearchValues<byte> s_hostChars = SearchValues.Create("-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// Parses the request head at the start of <paramref name="buffer"/>: every byte of this request received so
    /// far. Called again with more bytes after <see cref="RequestHeadStatus.Incomplete"/>; the same
    /// <paramref name="head"/> remembers how far it got, so each byte is scanned once however the bytes arrive.
    /// </summary>
    public static RequestHeadStatus Parse(ReadOnlySpan<byte> buffer, RequestHead head)
    {
        while (true)
        {
            // :: Step 1: find the end of the current line, within the limit for it.
            var requestLine = head.LineStart == 0;
            var limit = requestLine ? MaxRequestLineBytes : MaxHeadBytes;
            var searchEnd = Math.Min(buffer.Length, limit);
            var lf = head.ScannedTo < searchEnd ? buffer[head.ScannedTo..searchEnd].IndexOf((byte)'\n') : -1;
            if (lf < 0)
            {
                if (buffer.Length >= limit)
                {
                    return requestLine ? Fail(head, 414, "request line over the size limit") : Fail(head, 431, "request head over the size limit");
                }

                head.ScannedTo = buffer.Length;
                return RequestHeadStatus.Incomplete;
            }

            // :: Step 2: every line ends in CRLF; a bare LF is refused at once rather than waited on.
            lf += head.ScannedTo;
            var start = head.LineStart;
            if (lf == start || buffer[lf - 1] != '\r')
            {
                return Fail(head, 400, "bare LF");
            }

            var line = buffer[start..(lf - 1)];
            var status = requestLine ? RequestLine(line, head)
                : line.IsEmpty ? Finish(buffer[..head.MethodLength], head, lf + 1)
                : HeaderLine(line, start, head);
            if (status != RequestHeadStatus.Incomplete)
            {
                return status;
            }

            head.LineStart = head.ScannedTo = lf + 1;
        }
    }

    // request-line = method SP request-target SP HTTP-version, each separated by exactly one space.
    private static RequestHeadStatus RequestLine(ReadOnlySpan<byte> line, RequestHead head)
    {
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0 || line[..sp1].IndexOfAnyExcept(s_tokenChars) >= 0)
        {
            return Fail(head, 400, "invalid method");
        }

        var rest = line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        if (sp2 <= 0)
        {
            return Fail(head, 400, "invalid request line");
        }

        // Visible ASCII only: no space, no control character (a bare CR included), nothing above 0x7E, and no '#' (a
        // fragment never travels in a request).
        var target = rest[..sp2];
        if (target.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) >= 0 || target.Contains((byte)'#'))
        {
            return Fail(head, 400, "invalid request target");
        }

        var version = rest[(sp2 + 1)..];
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            head.Version = 11;
        }
        else if (version.SequenceEqual("HTTP/1.0"u8))
        {
            head.Version = 10;
        }
        else if (version.SequenceEqual("HTTP/2.0"u8) && line[..sp1].SequenceEqual("PRI"u8) && target.SequenceEqual("*"u8))
        {
            return HandOff(head, "HTTP/2 with prior knowledge");
        }
        else if (version is [(byte)'H', (byte)'T', (byte)'T', (byte)'P', (byte)'/', >= (byte)'0' and <= (byte)'9', (byte)'.', >= (byte)'0' and <= (byte)'9'])
        {
            return Fail(head, 505, "HTTP version not supported");
        }
        else
        {
            return Fail(head, 400, "invalid HTTP version");
        }

        if (target[0] != '/')
        {
            // Absolute-form (a client talking to a proxy), asterisk-form (OPTIONS *) and authority-form (CONNECT) are
            // valid HTTP, but not the fast path's: Kestrel's stack decides them.
            return target.SequenceEqual("*"u8) || StartsWithIgnoreCase(target, "http://"u8) || StartsWithIgnoreCase(target, "https://"u8) || line[..sp1].SequenceEqual("CONNECT"u8)
                ? HandOff(head, "request target not in origin-form")
                : Fail(head, 400, "invalid request target");
        }

        head.MethodLength = sp1;
        head.TargetStart = sp1 + 1;
        head.TargetLength = sp2;
        return RequestHeadStatus.Incomplete;
    }

    // field-line = field-name ":" OWS field-value OWS
    private static RequestHeadStatus HeaderLine(ReadOnlySpan<byte> line, int lineStart, RequestHead head)
    {
        if (line[0] is (byte)' ' or (byte)'\t')
        {
            return Fail(head, 400, "obs-fold");
        }

        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[..colon].IndexOfAnyExcept(s_tokenChars) >= 0)
        {
            return Fail(head, 400, "invalid header name");
        }

        var value = line[(colon + 1)..];
        var leading = value.IndexOfAnyExcept((byte)' ', (byte)'\t');
        if (leading < 0)
        {
            leading = value.Length;
        }

        value = value[leading..].TrimEnd(" \t"u8);
        if (value.IndexOfAnyExcept(s_fieldValueChars) >= 0)
        {
            return Fail(head, 400, "invalid header value");
        }

        if (!head.TryAdd(new HeaderRange(lineStart, colon, lineStart + colon + 1 + leading, value.Length)))
        {
            return Fail(head, 431, "too many headers");
        }

        var name = line[..colon];
        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "host"u8):
                if (head.HostIndex >= 0)
                {
                    return Fail(head, 400, "duplicate Host");
                }

                // An IPv6 literal is left to Kestrel, whose rules for it are its own (it refuses [::] and accepts [1::]):
                // sites are found by name, so no fast-path request needs one.
                if (value is [(byte)'[', ..])
                {
                    head.HandOffReason ??= "IP-literal Host";
                }
                else if (!IsValidHost(value))
                {
                    return Fail(head, 400, "invalid Host");
                }

                head.HostIndex = head.HeaderCount - 1;
                break;
            case 14 when Ascii.EqualsIgnoreCase(name, "content-length"u8):
                if (head.ContentLength >= 0 || value.IsEmpty || value.Length > MaxContentLengthDigits || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
                {
                    return Fail(head, 400, head.ContentLength >= 0 ? "duplicate Content-Length" : "invalid Content-Length");
                }

                var length = 0L;
                foreach (var digit in value)
                {
                    length = (length * 10) + (digit - '0');
                }

                head.ContentLength = length;
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8):
                if (head.Chunked || !Ascii.EqualsIgnoreCase(value, "chunked"u8))
                {
                    return Fail(head, 400, "transfer coding other than a single chunked");
                }

                head.Chunked = true;
                break;
            case 10 when Ascii.EqualsIgnoreCase(name, "connection"u8):
                ReadConnection(value, head);
                break;
            case 7 when Ascii.EqualsIgnoreCase(name, "upgrade"u8):
                head.HandOffReason ??= "upgrade";
                break;
            case 6 when Ascii.EqualsIgnoreCase(name, "expect"u8):
                if (!Ascii.EqualsIgnoreCase(value, "100-continue"u8))
                {
                    return Fail(head, 417, "unsupported expectation");
                }

                head.ExpectContinue = true;
                break;
        }

        return RequestHeadStatus.Incomplete;
    }

    private static RequestHeadStatus Finish(ReadOnlySpan<byte> method, RequestHead head, int headLength)
    {

        if (head.Version == 11 && head.HostIndex < 0)
        {
            return Fail(head, 400, "missing Host");
        }

        if (head.Chunked && (head.ContentLength >= 0 || head.Version == 10))
        {
            return Fail(head, 400, head.Version == 10 ? "chunked in HTTP/1.0" : "both Content-Length and Transfer-Encoding");
        }

        // An HTTP/1.0 POST or PUT has no way to end its body but Content-Length (Kestrel refuses it too).
        if (head.Version == 10 && head.ContentLength < 0 && (method.SequenceEqual("POST"u8) || method.SequenceEqual("PUT"u8)))
        {
            return Fail(head, 400, "HTTP/1.0 body without Content-Length");
        }

        if (head.HandOffReason is { } reason)
        {
            return HandOff(head, reason);
        }

        head.KeepAlive = !head.CloseSeen && (head.Version == 11 || head.KeepAliveSeen);
        head.HeadLength = headLength;
        return RequestHeadStatus.Complete;
    }

    // Connection = #connection-option: only close and keep-alive change anything here; the upstream engine strips
    // every header the list names.
    private static void ReadConnection(ReadOnlySpan<byte> value, RequestHead head)
    {
        foreach (var range in value.Split((byte)','))
        {
            var option = value[range].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(option, "close"u8))
            {
                head.CloseSeen = true;
            }
            else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8))
            {
                head.KeepAliveSeen = true;
            }
        }
    }

    // uri-host [ ":" port ], with the host a reg-name of letters, digits, '-', '.', '_' (IP literals are handed off).
    private static bool IsValidHost(ReadOnlySpan<byte> value)
    {
        var hostEnd = value.IndexOfAnyExcept(s_hostChars);
        hostEnd = hostEnd < 0 ? value.Length : hostEnd;
        var port = value[hostEnd..];
        return hostEnd > 0 && (port.IsEmpty || (port.Length is >= 2 and <= 6 && port[0] == ':' && port[1..].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0));
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> prefix)
        => value.Length >= prefix.Length && Ascii.EqualsIgnoreCase(value[..prefix.Length], prefix);

    private static RequestHeadStatus Fail(RequestHead head, int status, string reason)
    {
        head.ErrorStatus = status;
        head.Reason = reason;
        return RequestHeadStatus.Invalid;
    }

    private static RequestHeadStatus HandOff(RequestHead head, string reason)
    {
        head.Reason = reason;
        return RequestHeadStatus.HandOff;
    }

    private static byte[] FieldValueBytes()
    {
        var bytes = new List<byte> { (byte)'\t' };
        for (var b = 0x20; b <= 0x7E; b++)
        {
            bytes.Add((byte)b);
        }

        return [.. bytes];
    }
}
