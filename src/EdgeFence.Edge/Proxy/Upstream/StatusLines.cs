using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// <c>HTTP/1.1 &lt;code&gt; &lt;reason&gt;</c> CRLF as bytes, made once per status code. The reason phrase is the
/// standard one, not the origin's (what Kestrel sends on the other path: a reason phrase carries no meaning).
/// </summary>
internal static class StatusLines
{
    private static readonly byte[]?[] s_lines = new byte[]?[600];

    public static ReadOnlySpan<byte> For(int status)
    {
        if ((uint)status >= (uint)s_lines.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(status));
        }

        return s_lines[status] ??= Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\n"));
    }
}
