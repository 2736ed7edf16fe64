using System.Text;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// The fast path's counterpart of <see cref="ResponseHeaderCopier"/>: writes an origin's final response headers
/// straight into the client's response head as bytes, minus the hop-by-hop and framing ones (the fast path writes
/// its own framing). The headers the origin's Connection header names are dropped too; since Connection may come
/// after them, a head whose Connection names anything but close or keep-alive is written again with the names
/// known (<see cref="NeedsSecondPass"/>): rare, so the common head is parsed once. The status line comes first.
/// </summary>
internal struct ResponseHeadWriter : IResponseHeaderHandler
{
    private readonly string? _named;
    private HeadBuilder _head;
    private bool _interim;

    public ResponseHeadWriter(HeadBuilder head, string? named)
    {
        _head = head;
        _named = named;
    }

    /// <summary>The builder, with every header line written so far.</summary>
    public readonly HeadBuilder Head => _head;

    /// <summary>The origin's Connection header (comma-joined), when it sent one.</summary>
    public string? Connection { get; private set; }

    /// <summary>Whether Connection names other headers that were not yet known while writing: write the head again with <see cref="Connection"/>.</summary>
    public readonly bool NeedsSecondPass => _named is null && Connection is { } connection && NamesOthers(connection);

    /// <summary>The final response's status line opens the client's head; an interim response's is skipped with its headers.</summary>
    public void OnStatusLine(int status)
    {
        _interim = status < 200;
        if (!_interim)
        {
            _head.Bytes(StatusLines.For(status));
        }
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_interim)
        {
            return;
        }

        if (name.Length == 10 && Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            var text = Encoding.Latin1.GetString(value);
            Connection = Connection is null ? text : Connection + ", " + text;
            return;
        }

        if (ResponseHeaderCopier.IsHopByHop(name) || (_named is not null && IsNamed(name, _named)))
        {
            return;
        }

        _head.Bytes(name);
        _head.Bytes(": "u8);
        _head.Bytes(value);
        _head.Bytes("\r\n"u8);
    }

    private static bool IsNamed(ReadOnlySpan<byte> name, string named)
    {
        Span<char> chars = stackalloc char[name.Length];
        Encoding.Latin1.GetChars(name, chars);
        return HopByHopHeaders.IsNamedIn(chars, named);
    }

    private static bool NamesOthers(string connection)
    {
        foreach (var range in connection.AsSpan().Split(','))
        {
            var option = connection.AsSpan()[range].Trim();
            if (!option.IsEmpty && !option.Equals("close", StringComparison.OrdinalIgnoreCase) && !option.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
