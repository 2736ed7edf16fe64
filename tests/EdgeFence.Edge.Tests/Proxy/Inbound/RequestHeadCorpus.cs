using System.Text;

namespace EdgeFence.Edge.Tests.Proxy.Inbound;

/// <summary>
/// Random request heads for the differential test: valid ones built from parts real clients send, then mutated the
/// ways request smuggling and parser confusion are tried (a byte inserted, dropped or changed; line endings bared;
/// whitespace before a colon; folded lines; duplicated, conflicting and malformed framing headers; odd versions).
/// Deterministic for a seed.
/// </summary>
internal sealed class RequestHeadCorpus(int seed)
{
    private static readonly string[] Methods = ["GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "X-CUSTOM"];
    private static readonly string[] Hosts = ["shop.example", "api.example:8080", "127.0.0.1", "127.0.0.1:5000", "[::1]", "[::1]:443", "a-b.c_d.example", "localhost"];
    private static readonly string[] Lines =
    [
        "User-Agent: curl/8.5.0", "Accept: */*", "Accept: application/json, text/plain;q=0.9", "X-Api-Key: ef_0123456789abcdef",
        "Authorization: Bearer ef_live_token", "Content-Length: 0", "Content-Length: 17", "Transfer-Encoding: chunked",
        "Connection: close", "Connection: keep-alive", "Expect: 100-continue", "Cookie: a=b; c=d", "X-Empty:",
        "X-Spaces:   padded value \t ", "Accept-Encoding: gzip, br", "X-Forwarded-For: 10.0.0.1", "Cache-Control: no-cache",
    ];

    private static readonly string[] FramingLines =
    [
        "Content-Length: 5", "Content-Length: 5, 5", "Content-Length: +5", "Content-Length: -1", "Content-Length:  5 ", "Content-Length: 0x10",
        "Content-Length: 99999999999999999999", "Content-Length:", "Transfer-Encoding: chunked", "Transfer-Encoding: Chunked",
        "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: chunked, gzip", "Transfer-Encoding: identity", "Transfer-Encoding:  chunked",
        "Transfer-Encoding: chunked\t", "Transfer-encoding: x", "Host: other.example", "Host: a b", "Host:", "Expect: nope", "Upgrade: websocket",
    ];

    private readonly Random _random = new(seed);

    /// <summary>A valid head, or, most of the time, one mutated 1 to 3 times.</summary>
    public byte[] Next()
    {
        var bytes = Encoding.Latin1.GetBytes(Valid());
        var mutations = _random.Next(4);
        for (var i = 0; i < mutations; i++)
        {
            bytes = Mutate(bytes);
        }

        return bytes;
    }

    public string Valid()
    {
        var text = new StringBuilder();
        text.Append(Pick(Methods)).Append(' ').Append(Target()).Append(' ').Append(_random.Next(8) == 0 ? "HTTP/1.0" : "HTTP/1.1").Append("\r\n");
        text.Append("Host: ").Append(Pick(Hosts)).Append("\r\n");
        for (var i = _random.Next(7); i > 0; i--)
        {
            text.Append(_random.Next(5) == 0 ? $"X-Custom-{_random.Next(100)}: {Visible(_random.Next(30))}" : Pick(Lines)).Append("\r\n");
        }

        return text.Append("\r\n").ToString();
    }

    private string Target()
    {
        var target = new StringBuilder();
        for (var segments = _random.Next(1, 4); segments > 0; segments--)
        {
            target.Append('/').Append(_random.Next(3) == 0 ? Visible(_random.Next(12)) : "seg" + _random.Next(1000));
        }

        if (_random.Next(3) == 0)
        {
            target.Append('?').Append("q=").Append(Visible(_random.Next(10)));
        }

        return target.ToString();
    }

    // Any visible ASCII, so the targets and values cover every character a parser might treat specially.
    private string Visible(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)_random.Next(0x21, 0x7F);
        }

        return new string(chars);
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private byte[] Mutate(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var at = _random.Next(bytes.Length);
        var lineEnds = AllIndexes(text, "\r\n");
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var afterRequestLine = text.IndexOf("\r\n", StringComparison.Ordinal) + 2;
        var kind = _random.Next(14);
        if (afterRequestLine < 2 && kind is >= 4 and not 8 and not 9 and not 10)
        {
            return bytes; // no line structure left to mutate
        }

        switch (kind)
        {
            case 0: // a random byte inserted
                return [.. bytes[..at], (byte)_random.Next(256), .. bytes[at..]];
            case 1: // a byte dropped
                return [.. bytes[..at], .. bytes[(at + 1)..]];
            case 2: // a byte changed
                bytes = (byte[])bytes.Clone();
                bytes[at] = (byte)_random.Next(256);
                return bytes;
            case 3 when lineEnds.Count > 0: // a line ending bared to LF or CR
                var end = lineEnds[_random.Next(lineEnds.Count)];
                return Encoding.Latin1.GetBytes(text[..end] + (_random.Next(2) == 0 ? "\n" : "\r") + text[(end + 2)..]);
            case 4: // whitespace before a colon
                var colon = text.IndexOf(':', afterRequestLine);
                return colon < 0 ? bytes : Encoding.Latin1.GetBytes(text[..colon] + (_random.Next(2) == 0 ? " " : "\t") + text[colon..]);
            case 5: // a folded continuation line
                return Encoding.Latin1.GetBytes(text[..afterRequestLine] + "X-Folded: a\r\n" + (_random.Next(2) == 0 ? " " : "\t") + "b\r\n" + text[afterRequestLine..]);
            case 6 when headerEnd > afterRequestLine: // a header line duplicated
                var lines = text[afterRequestLine..headerEnd].Split("\r\n");
                return Encoding.Latin1.GetBytes(text[..afterRequestLine] + Pick(lines) + "\r\n" + text[afterRequestLine..]);
            case 7: // a framing or special header added
                return Encoding.Latin1.GetBytes(text[..afterRequestLine] + Pick(FramingLines) + "\r\n" + text[afterRequestLine..]);
            case 8: // the version changed
                var versions = new[] { "HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.1 ", "HTTP/1", "HTTP/11", "HTTP/1.10", "HTTX/1.1" };
                return Encoding.Latin1.GetBytes(text.Replace(text.Contains("HTTP/1.1") ? "HTTP/1.1" : "HTTP/1.0", Pick(versions)));
            case 9 when text.Contains(' '): // the request line's spacing changed
                var space = text.IndexOf(' ');
                return Encoding.Latin1.GetBytes(text[..space] + (_random.Next(2) == 0 ? "  " : "\t") + text[(space + 1)..]);
            case 10: // empty lines before the request line
                return Encoding.Latin1.GetBytes("\r\n" + text);
            case 11: // a control character or obs-text inside a header value
                var valueAt = text.IndexOf(": ", afterRequestLine, StringComparison.Ordinal);
                var odd = new[] { '\0', '\u0001', '\u000b', '\u000c', '\u001f', '\u007f', '\u0080', '\u00e9', '\u00ff' };
                return valueAt < 0 ? bytes : Encoding.Latin1.GetBytes(text[..(valueAt + 2)] + Pick(odd) + text[(valueAt + 2)..]);
            case 12: // the Host header removed
                var host = text.IndexOf("\r\nHost: ", StringComparison.Ordinal);
                return host < 0 || text.IndexOf("\r\n", host + 2, StringComparison.Ordinal) < 0 ? bytes : Encoding.Latin1.GetBytes(text[..(host + 2)] + text[(text.IndexOf("\r\n", host + 2, StringComparison.Ordinal) + 2)..]);
            case 13: // a header name with a character outside token
                var name = text.IndexOf(':', afterRequestLine);
                var bad = new[] { '(', ')', '/', '@', '[', '"', '{', ' ', '\u0080' };
                return name <= afterRequestLine ? bytes : Encoding.Latin1.GetBytes(text[..(name - 1)] + Pick(bad) + text[(name - 1)..]);
            default: // a mutation whose precondition did not hold
                return bytes;
        }
    }

    private static List<int> AllIndexes(string text, string value)
    {
        var found = new List<int>();
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            found.Add(i);
        }

        return found;
    }

    /// <summary>A head as a C# string literal, for failure messages.</summary>
    public static string Escape(byte[] bytes)
    {
        var text = new StringBuilder("\"");
        foreach (var b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\t' => "\\t",
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\u{b:x4}",
            });
        }

        return text.Append('"').ToString();
    }
}
