using System.Text;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// Copies an origin's final response headers onto the client response, minus the hop-by-hop ones and the
/// framing ones the engine sets itself; remembers the Connection header so the headers it names can be
/// dropped once the whole head is read.
/// </summary>
internal struct ResponseHeaderCopier : IResponseHeaderHandler
{
    private readonly IHeaderDictionary _headers;

    public ResponseHeaderCopier(IHeaderDictionary headers) => _headers = headers;

    /// <summary>The Connection header's value, when the origin sent one.</summary>
    public string? Connection { get; private set; }

    private bool _interim;

    public void OnStatusLine(int status) => _interim = status < 200;

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_interim)
        {
            return;
        }

        if (IsHopByHop(name))
        {
            if (name.Length == 10 && Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                var text = Encoding.Latin1.GetString(value);
                Connection = Connection is null ? text : Connection + ", " + text;
            }

            return;
        }

        var key = Encoding.Latin1.GetString(name);
        var existing = _headers[key];
        var added = Encoding.Latin1.GetString(value);
        _headers[key] = existing.Count == 0 ? added : Microsoft.Extensions.Primitives.StringValues.Concat(existing, added);
    }

    /// <summary>The response headers neither engine copies: hop-by-hop ones and the framing it writes itself.</summary>
    internal static bool IsHopByHop(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => Ascii.EqualsIgnoreCase(name, "TE"u8),
        7 => Ascii.EqualsIgnoreCase(name, "Trailer"u8) || Ascii.EqualsIgnoreCase(name, "Upgrade"u8),
        10 => Ascii.EqualsIgnoreCase(name, "Connection"u8) || Ascii.EqualsIgnoreCase(name, "Keep-Alive"u8),
        14 => Ascii.EqualsIgnoreCase(name, "Content-Length"u8),
        16 => Ascii.EqualsIgnoreCase(name, "Proxy-Connection"u8),
        17 => Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8),
        _ => false,
    };
}
