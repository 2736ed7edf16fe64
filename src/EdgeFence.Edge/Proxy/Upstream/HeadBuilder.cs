using System.Buffers;
using System.Globalization;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// A message head (the forwarded request's, or on the fast path the response's) written straight as bytes into one
/// pooled buffer, so it leaves in one send.
/// Strings are written as Latin-1 (what Kestrel decoded them from), and refused when they hold a CR, LF,
/// NUL or a character above U+00FF: those would split the head (header injection) at the origin.
/// </summary>
internal struct HeadBuilder : IDisposable
{
    // field-value characters as chars: HTAB, SP..~, obs-text. Everything else is refused.
    private static readonly SearchValues<char> s_valueChars = SearchValues.Create(ValueChars());

    private byte[] _buffer;
    private int _length;

    /// <summary>Whether a header value (or target) can be written into a head: no CR, LF, NUL or other control character.</summary>
    public static bool IsWritable(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(s_valueChars);

    public HeadBuilder(int sizeHint)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, 1024));
        _length = 0;
    }

    public readonly ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    /// <summary>Whether a buffer is held (a default builder has none).</summary>
    public readonly bool IsCreated => _buffer is not null;

    /// <summary>Starts over in the same buffer.</summary>
    public void Clear() => _length = 0;

    public void RequestLine(string method, string target)
    {
        Text(method);
        Bytes(" "u8);
        Text(target);
        Bytes(" HTTP/1.1\r\n"u8);
    }

    /// <summary>Text of this head (a status line, a target, a header value), refused like every other string.</summary>
    public void Append(string text) => Text(text);

    public void Header(string name, string value)
    {
        Text(name);
        Bytes(": "u8);
        Text(value);
        Bytes("\r\n"u8);
    }

    public void Header(ReadOnlySpan<byte> name, long value)
    {
        Bytes(name);
        Bytes(": "u8);
        Ensure(20);
        value.TryFormat(_buffer.AsSpan(_length), out var written, provider: CultureInfo.InvariantCulture);
        _length += written;
        Bytes("\r\n"u8);
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null!;
        }
    }

    private void Text(string text)
    {
        if (!IsWritable(text))
        {
            throw new InvalidOperationException("a header or target holds a character that cannot be forwarded in an HTTP/1.1 head");
        }

        Ensure(text.Length);
        System.Text.Encoding.Latin1.GetBytes(text, _buffer.AsSpan(_length));
        _length += text.Length;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private static string ValueChars()
    {
        var chars = new System.Text.StringBuilder("\t");
        for (var c = (char)0x20; c <= (char)0xFF; c++)
        {
            if (c != (char)0x7F)
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
    }
}
